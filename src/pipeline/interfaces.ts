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
