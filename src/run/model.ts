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

/** `script:` or `bash:`: run through bash. */
export interface ScriptStep extends StepCommon {
  kind: 'script';
  /** The key it was written with: `script:` or `bash:` (both run with bash here). */
  keyword: 'script' | 'bash';
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

/** One step. */
export type Step = TaskStep | ScriptStep | PublishStep | CheckoutStep;

/** A job: steps run in order on one agent. */
export interface Job {
  path: string;
  name: string;
  displayName: string;
  /** Jobs this one waits for (default none). */
  dependsOn: string[];
  condition?: string;
  continueOnError: boolean;
  variables: VariableDefinition[];
  steps: Step[];
  /** True for the job a `steps:`-only file gets. */
  implicit: boolean;
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
  stages: Stage[];
}

/** Every step of a pipeline with its stage and job, in file order. */
export function allSteps(pipeline: Pipeline): Array<{ stage: Stage; job: Job; step: Step }> {
  return pipeline.stages.flatMap((stage) => stage.jobs.flatMap((job) => job.steps.map((step) => ({ stage, job, step }))));
}
