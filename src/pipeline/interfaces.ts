import type { ProcessRunner } from '../process/runner';

/** The ports between a task's logic and the Azure Pipelines agent. */

/** What a task reads from the agent: inputs, variables and service connections. */
export interface TaskEnvironment {
  /** The raw value of an input, or undefined when it is absent or empty. */
  input(name: string): string | undefined;
  /** A pipeline variable (`Build.BuildNumber`), or undefined. */
  variable(name: string): string | undefined;
  /** A service connection by its id, or undefined when the agent knows none by that id. */
  endpoint(id: string): ServiceEndpoint | undefined;
}

/** A service connection as the agent hands it to a task. */
export interface ServiceEndpoint {
  id: string;
  url: string;
  /** e.g. `UsernamePassword`, `Token`, `Kubernetes`, `ServicePrincipal`. */
  scheme: string;
  /** Authorization parameters (secrets among them). Keys are lower-cased. */
  auth: Record<string, string>;
  /** Endpoint data. Keys are lower-cased. */
  data: Record<string, string>;
}

/** Test result formats the agent's results.publish command accepts. */
export type TestResultsFormat = 'JUnit' | 'NUnit' | 'VSTest' | 'XUnit';

/** What a task tells the agent. */
export interface PipelineOutput {
  /** A plain log line. */
  info(message: string): void;
  /** A warning shown in the run summary. */
  warning(message: string): void;
  /** A debug line, shown when system.debug is true. */
  debug(message: string): void;
  /** Masks `value` in every later log line. */
  setSecret(value: string): void;
  /** Sets an output variable (`isOutput=true`), readable as `$(step.name)` by later steps, jobs and stages. */
  setOutput(name: string, value: string): void;
  /** Publishes a file or folder as a build artifact. */
  uploadArtifact(artifactName: string, path: string): void;
  /** Publishes test result files; the run shows them in its Tests tab. */
  publishTestResults(format: TestResultsFormat, files: readonly string[], title: string): void;
  /** Adds a Markdown section, named `title`, to the run's summary page (`task.uploadsummary`). */
  uploadSummary(title: string, markdown: string): void;
  /** Attaches `content` to the step as `type`/`name` (`task.addattachment`), for the run page's extensions to read. */
  addAttachment(type: string, name: string, content: string): void;
}

/**
 * What every task's `run<Task>(inputs, ctx, ports)` is given besides its inputs and its own ports:
 * the agent's side (inputs and variables, output), how processes run, the job's cancellation and
 * the clock. Built once by runTask.
 */
export interface TaskContext {
  env: TaskEnvironment;
  output: PipelineOutput;
  runner: ProcessRunner;
  /** Aborted when the agent cancels the job (SIGINT or SIGTERM): clean up, then return or throw. */
  signal: AbortSignal;
  /** The time, in milliseconds since the epoch (Date.now; tests pass a fixed one). */
  clock: () => number;
}

/** The pipeline variables tasks read (InputReader.pipelineVariables). Any may be absent (a local run). */
export interface PipelineVariables {
  buildNumber?: string;
  buildId?: string;
  buildUri?: string;
  definitionName?: string;
  /** `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`. */
  sourceBranch?: string;
  sourceVersion?: string;
  /** `IndividualCI`, `PullRequest`, … */
  reason?: string;
  /** GitHub's System.PullRequest.PullRequestNumber, else Azure Repos' System.PullRequest.PullRequestId. */
  pullRequestNumber?: string;
  repositoryName?: string;
  repositoryUri?: string;
  collectionUri?: string;
  teamProject?: string;
  /** System.JobId: tells parallel jobs of one build apart. */
  jobId?: string;
  /** Release.ReleaseWebURL, in a classic release. */
  releaseWebUrl?: string;
}
