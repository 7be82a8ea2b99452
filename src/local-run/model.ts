/**
 * The pipeline model `outerloop run` executes: stages → jobs → steps, whatever shape the YAML had
 * (a file with only `steps:` becomes one stage with one job). Own types only; the parser fills them.
 */

/** A variable defined in the YAML (`variables:`). */
export interface VariableDefinition {
  name: string;
  value: string;
  readonly: boolean;
}

/** Fields every step has. */
export interface StepCommon {
  /** Where the step sits in the file, e.g. `stages[0].jobs[1].steps[2]`, for messages. */
  path: string;
  /** The reference name (`name:`), used as `$(name.variable)` for its output variables. */
  name?: string;
  /** `displayName:` as written (may hold macros), else a default. */
  displayName: string;
  /** `condition:`, as written; undefined means `succeeded()`. */
  condition?: string;
  continueOnError: boolean;
  enabled: boolean;
  /** `env:`: extra environment variables (values may hold macros, which is how secrets reach scripts). */
  env: Record<string, string>;
  timeoutInMinutes?: number;
  /** `retryCountOnTaskFailure`: how many times a failed step runs again (0 to 10). */
  retryCount: number;
}

/** `task: Name@Major`. */
export interface TaskStep extends StepCommon {
  kind: 'task';
  /** As written, e.g. `DockerBuildTag@1`. */
  reference: string;
  taskName: string;
  major: number;
  inputs: Record<string, string>;
}

/** `script:`, `bash:` (run through bash), `pwsh:` or `powershell:` (run through pwsh). */
export interface ScriptStep extends StepCommon {
  kind: 'script';
  /** The key it was written with: `script:` and `bash:` run with bash here, `pwsh:` and `powershell:` with pwsh. */
  keyword: 'script' | 'bash' | 'pwsh' | 'powershell';
  script: string;
  workingDirectory?: string;
  failOnStderr: boolean;
}

/** `publish: path` with `artifact: name`: the artifact shortcut. */
export interface PublishStep extends StepCommon {
  kind: 'publish';
  publishPath: string;
  artifact: string;
}

/** `checkout:`: the working tree already is the checkout, so it only shows in the summary. */
export interface CheckoutStep extends StepCommon {
  kind: 'checkout';
  repository: string;
}

/**
 * `download: current|<alias>` (and DownloadPipelineArtifact@2): artifacts of this run, or of a
 * `resources.pipelines` run, copied into `$(Pipeline.Workspace)`.
 */
export interface DownloadStep extends StepCommon {
  kind: 'download';
  /** `current`, or the alias of a `resources.pipelines` entry. */
  source: string;
  /** One artifact; undefined: all of them. */
  artifact?: string;
  /** Glob patterns (one per line) of the files to copy; undefined: all. */
  patterns?: string;
  /** Where to put them; undefined: `$(Pipeline.Workspace)/<artifact>` (with the alias in between for a resource). */
  targetPath?: string;
}

/** One step. */
export type Step = TaskStep | ScriptStep | PublishStep | CheckoutStep | DownloadStep;

/** The lifecycle hooks of a deployment job's strategy, in the order they run. */
export const LIFECYCLE_HOOKS = ['preDeploy', 'deploy', 'routeTraffic', 'postRouteTraffic'] as const;

/** A run of steps with its own job status: a job's steps, or one hook of a deployment job. */
export interface JobPhase {
  /** The hook (`deploy`, `on.failure`…); undefined for a job's `steps:`. */
  hook?: string;
  /** When it runs: after the earlier hooks succeeded, or at the end on success or on failure. */
  when: 'success' | 'onSuccess' | 'onFailure';
  steps: Step[];
}

/** One run of a job: the job itself, or one leg of its matrix or parallel strategy. */
export interface JobLeg {
  /** The matrix leg's name, `Job<n>` for parallel; undefined for a job without legs. */
  name?: string;
  /** As the run view shows it: the job's display name, with the leg's name after it. */
  displayName: string;
  /** The leg's matrix variables. */
  variables: VariableDefinition[];
  phases: JobPhase[];
}

/** A job (`job:`) or a deployment job (`deployment:`): steps run in order on one agent. */
export interface Job {
  path: string;
  kind: 'job' | 'deployment';
  name: string;
  displayName: string;
  /** Jobs this one waits for (default none). */
  dependsOn: string[];
  condition?: string;
  continueOnError: boolean;
  variables: VariableDefinition[];
  /** A deployment job's environment (`environment: name[.resource]`). */
  environment?: { name: string; resourceName?: string };
  /** Said once when the job starts, e.g. that a rolling strategy runs as runOnce. */
  note?: string;
  /** At least one. */
  legs: JobLeg[];
  /** True for the job a `steps:`-only file gets. */
  implicit: boolean;
}

/** Every step of a job, leg after leg, phase after phase. */
export function jobSteps(job: Job): Step[] {
  return job.legs.flatMap((leg) => leg.phases.flatMap((phase) => phase.steps));
}

/** A stage. */
export interface Stage {
  path: string;
  name: string;
  displayName: string;
  /** Stages this one waits for (default: the stage before it). */
  dependsOn: string[];
  condition?: string;
  variables: VariableDefinition[];
  jobs: Job[];
  implicit: boolean;
}

/** A whole pipeline file. */
export interface Pipeline {
  file: string;
  /** `name:`: the build number format, e.g. `$(Date:yyyyMMdd)$(Rev:.r)`. */
  buildNumberFormat?: string;
  variables: VariableDefinition[];
  /** `resources.pipelines`: alias → the source pipeline's name, for `download: <alias>`. */
  pipelineResources: Array<{ alias: string; source: string }>;
  stages: Stage[];
}

/** Every step of a pipeline with its stage and job, in file order. */
export function allSteps(pipeline: Pipeline): Array<{ stage: Stage; job: Job; step: Step }> {
  return pipeline.stages.flatMap((stage) => stage.jobs.flatMap((job) => jobSteps(job).map((step) => ({ stage, job, step }))));
}
