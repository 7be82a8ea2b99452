import { delimiter, join, resolve } from 'node:path';
import { expandMacros } from './agent/macros';
import type { TaskManifest } from './agent/task-manifest';
import type { EndpointSpec } from './agent/task-process';
import { describeError, OuterloopError } from '../common/errors';
import { ExpressionError } from './expression-parser';
import { compileCondition, evaluateCondition, type StatusFunction, type Value } from './expression-eval';
import { downloadArtifacts, type RunOutputs } from './run-outputs';
import { applyStepEffects } from './step-effects';
import type { SecretMasker } from './secret-masker';
import {
  allSteps,
  jobSteps,
  type DownloadStep,
  type Job,
  type JobLeg,
  type JobPhase,
  type Pipeline,
  type Stage,
  type Step,
  type VariableDefinition,
} from './model';
import { DEFAULT_BUILD_NUMBER_FORMAT, formatBuildNumber, jobVariables } from './predefined-variables';
import type { RunReporter, StepRecord, StepResult, StepView } from './report';
import { runScriptStep } from './script-step';
import { dependencyOrder, evaluateStatusOfDependencies, evaluateStatusOfJobSoFar, worse } from './status';
import type { StepOutcome, StepRunContext } from './step-context';
import type { StepEffects } from './step-output';
import type { TaskCatalog } from './task-catalog';
import { runTaskStep } from './task-step';
import { VariableStore } from './variable-store';

/** Everything a run needs that is not in the pipeline file. */
export interface RunOptions {
  /** The predefined variables (Build.BuildNumber is computed from the file's `name:`). */
  predefined: Record<string, string>;
  /** `--var`: win over the file's variables at every level. */
  overrides: Record<string, string>;
  /** `--secret`. */
  secrets: Record<string, string>;
  endpoints: EndpointSpec[];
  /** The revision for `$(Rev:r)`. */
  revision: number;
  /** The moment the run started, for `$(Date:…)`. */
  startedAt: Date;
  catalog: TaskCatalog;
  outputs: RunOutputs;
  reporter: RunReporter;
  masker: SecretMasker;
  baseEnv: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** A clock in milliseconds (tests pass a fake). */
  now: () => number;
  /** `--pipeline-artifacts alias=DIR`: the artifacts of a `resources.pipelines` run, one folder per artifact. */
  pipelineArtifacts?: Record<string, string>;
}

/** What a finished job leaves for the jobs and stages that depend on it. */
interface JobRecord {
  name: string;
  result: StepResult;
  /** Output variables by the key the service gives them (`step.var`, `leg.step.var`, `job.step.var`). */
  outputs: Record<string, string>;
}

/** What a finished stage leaves for the stages that depend on it. */
interface StageRecord {
  name: string;
  result: StepResult;
  jobs: Map<string, JobRecord>;
}

/** A root for expressions: `{ name: { result, outputs } }` for the names given. */
function dependencyValues(records: Array<{ name: string; result: StepResult; outputs: Record<string, string> }>): Value {
  const out: Record<string, Value> = {};
  for (const r of records) out[r.name] = { result: r.result, outputs: { ...r.outputs } };
  return out;
}

/** How the run ended. */
export interface RunResult {
  result: StepResult;
  buildNumber: string;
  records: StepRecord[];
  durationMs: number;
}

/**
 * Runs a parsed pipeline: stages, then jobs, in dependency order, then steps in order, one at a
 * time on this machine, with the agent's rules for conditions, continueOnError, variables set by
 * steps and cancellation. Never throws for what a step does; a step's problem is its result.
 */
export class PipelineEngine {
  private readonly records: StepRecord[] = [];
  private readonly views = new Map<Step, StepView>();
  private readonly owners = new Map<Step, { stage: Stage; job: Job }>();
  /** A step's job as the run view names it: `<job> <leg>` for a matrix leg. */
  private readonly jobLabels = new Map<Step, string>();
  private readonly root = new VariableStore();
  private buildNumber = '';

  constructor(
    private readonly pipeline: Pipeline,
    private readonly options: RunOptions,
  ) {}

  private get cancelled(): boolean {
    return this.options.signal.aborted;
  }

  /** Runs the whole pipeline. */
  async run(): Promise<RunResult> {
    const started = this.options.now();
    this.defineRootVariables();
    this.indexSteps();
    const { reporter } = this.options;
    reporter.start({ file: this.pipeline.file, buildNumber: this.buildNumber, steps: this.views.size });
    const stageRecords = new Map<string, StageRecord>();
    for (const stage of dependencyOrder(this.pipeline.stages, 'stage', this.pipeline.file)) {
      stageRecords.set(stage.name.toLowerCase(), await this.runStage(stage, stageRecords));
    }
    let result: StepResult = 'Skipped';
    for (const r of stageRecords.values()) result = worse(result, r.result);
    if (this.cancelled) result = worse(result, 'Canceled');
    if (result === 'Skipped') result = 'Succeeded';
    const durationMs = this.options.now() - started;
    reporter.finish({ result, durationMs, records: this.records, summaries: this.options.outputs.summaries });
    return { result, buildNumber: this.buildNumber, records: this.records, durationMs };
  }

  private defineRootVariables(): void {
    const { predefined, secrets, startedAt, revision } = this.options;
    for (const [name, value] of Object.entries(predefined)) this.root.set(name, value);
    for (const [name, value] of Object.entries(secrets)) {
      this.options.masker.add(value);
      this.root.set(name, value, { secret: true });
    }
    // Twice: once to compute the build number (its format may use the file's variables), then
    // again so that variables using $(Build.BuildNumber) get the final number.
    this.defineVariables(this.root, this.pipeline.variables);
    const format = this.pipeline.buildNumberFormat ?? DEFAULT_BUILD_NUMBER_FORMAT;
    this.buildNumber = formatBuildNumber(format, startedAt, revision, (n) => this.root.value(n));
    this.root.set('Build.BuildNumber', this.buildNumber);
    this.defineVariables(this.root, this.pipeline.variables);
  }

  /** Defines YAML variables in `store`; --var and --secret values win. */
  private defineVariables(
    store: VariableStore,
    definitions: VariableDefinition[],
    roots: (name: string) => Value | undefined = () => undefined,
  ): void {
    const overridden = new Set([...Object.keys(this.options.overrides), ...Object.keys(this.options.secrets)].map((k) => k.toLowerCase()));
    for (const d of definitions) {
      if (overridden.has(d.name.toLowerCase())) continue;
      let value: string;
      try {
        value = store.resolveDefinition(d.value, roots);
      } catch (err) {
        if (err instanceof ExpressionError) throw new OuterloopError(`${this.pipeline.file}: variable '${d.name}': ${err.message}`);
        throw err;
      }
      store.set(d.name, value, { readonly: d.readonly, define: true });
    }
    for (const [name, value] of Object.entries(this.options.overrides)) store.set(name, value, { define: true });
  }

  private indexSteps(): void {
    for (const job of this.pipeline.stages.flatMap((s) => s.jobs)) {
      for (const leg of job.legs) for (const step of leg.phases.flatMap((p) => p.steps)) this.jobLabels.set(step, leg.displayName);
    }
    const all = allSteps(this.pipeline);
    all.forEach(({ stage, job, step }, i) => {
      this.owners.set(step, { stage, job });
      this.views.set(step, { index: i + 1, total: all.length, label: this.label(step, this.root), what: describeStep(step) });
    });
  }

  /** `Stage › Job › Step`, leaving out the implicit stage and job of a jobs- or steps-only file. */
  private label(step: Step, store: VariableStore): string {
    const owner = this.owners.get(step);
    const stage = owner && !owner.stage.implicit ? [owner.stage.displayName] : [];
    const job = owner && !owner.job.implicit ? [this.jobLabels.get(step) ?? owner.job.displayName] : [];
    return [...stage, ...job, this.displayName(step, store)].join(' › ');
  }

  /** The step's display name; a task step without one gets its task.json instanceNameFormat, as on the agent. */
  private displayName(step: Step, store: VariableStore): string {
    if (step.kind !== 'task' || step.displayName !== step.reference) return store.expand(step.displayName);
    let manifest: TaskManifest;
    try {
      manifest = this.options.catalog.resolve(step.taskName, step.major).manifest;
    } catch {
      return step.reference;
    }
    const format = manifest.instanceNameFormat;
    if (!format) return step.reference;
    const inputs = new Map(manifest.inputs.map((i) => [i.name.toLowerCase(), i.defaultValue ?? '']));
    for (const [k, v] of Object.entries(step.inputs)) inputs.set(k.toLowerCase(), v);
    const name = expandMacros(format, (n) => inputs.get(n.toLowerCase()) ?? store.value(n) ?? '');
    return store.expand(name).replace(/\s+/g, ' ').trim() || step.reference;
  }

  private skipSteps(steps: Step[], message: string): void {
    for (const step of steps) {
      const record: StepRecord = { view: this.view(step), result: 'Skipped', message };
      this.records.push(record);
      this.options.reporter.stepFinished(record);
    }
  }

  private view(step: Step): StepView {
    const view = this.views.get(step);
    if (!view) throw new Error('a step that was not indexed');
    return view;
  }

  /** Evaluates a stage or job condition against the results of what it depends on. */
  private dependencyCondition(
    condition: string | undefined,
    dependsOn: string[],
    results: Map<string, { result: StepResult }>,
    store: VariableStore,
    roots: (name: string) => Value | undefined,
  ): boolean | string {
    return this.evaluate(
      condition,
      store,
      (fn, names) =>
        evaluateStatusOfDependencies(
          fn,
          (names.length > 0 ? names : dependsOn).map((n) => results.get(n.toLowerCase())?.result ?? 'Skipped'),
          this.cancelled,
        ),
      roots,
    );
  }

  /** True or false, or the reason the condition could not be evaluated. */
  private evaluate(
    condition: string | undefined,
    store: VariableStore,
    status: (fn: StatusFunction, names: string[]) => boolean,
    roots: (name: string) => Value | undefined = () => undefined,
  ): boolean | string {
    try {
      return evaluateCondition(compileCondition(condition ?? 'succeeded()'), { variable: (n) => store.value(n), status, root: roots });
    } catch (err) {
      if (err instanceof ExpressionError) return `condition '${condition}' could not be evaluated: ${err.message}`;
      throw err;
    }
  }

  private async runStage(stage: Stage, stageRecords: Map<string, StageRecord>): Promise<StageRecord> {
    const record: StageRecord = { name: stage.name, result: 'Skipped', jobs: new Map() };
    const store = this.root.child();
    const before = stage.dependsOn.map((n) => stageRecords.get(n.toLowerCase())).filter((r): r is StageRecord => r !== undefined);
    // A stage reads the stages it depends on as dependencies.<stage>.outputs['job.step.var'].
    // …and as stageDependencies.<stage>.<job>.outputs['step.var'], as its jobs do.
    const stageDependencies = (): Value => {
      const out: Record<string, Value> = {};
      for (const s of before) out[s.name] = dependencyValues([...s.jobs.values()]);
      return out;
    };
    const stageRoots = (name: string): Value | undefined => {
      const lower = name.toLowerCase();
      if (lower === 'stagedependencies') return stageDependencies();
      if (lower !== 'dependencies') return undefined;
      return dependencyValues(
        before.map((s) => ({
          name: s.name,
          result: s.result,
          outputs: Object.fromEntries(
            [...s.jobs.values()].flatMap((j) => Object.entries(j.outputs).map(([k, v]) => [`${j.name}.${k}`, v])),
          ),
        })),
      );
    };
    const go = this.dependencyCondition(stage.condition, stage.dependsOn, stageRecords, store, stageRoots);
    if (go !== true) {
      this.skipSteps(
        stage.jobs.flatMap(jobSteps),
        typeof go === 'string' ? go : `stage '${stage.name}' was skipped (condition '${stage.condition ?? 'succeeded()'}' was false)`,
      );
      record.result = typeof go === 'string' ? 'Failed' : 'Skipped';
      return record;
    }
    this.defineVariables(store, stage.variables, stageRoots);
    // Jobs read the jobs of their own stage as dependencies.<job>, and earlier stages' jobs as stageDependencies.<stage>.<job>.
    for (const job of dependencyOrder(stage.jobs, 'job', this.pipeline.file)) {
      const roots = (name: string): Value | undefined => {
        const lower = name.toLowerCase();
        if (lower === 'dependencies')
          return dependencyValues(
            job.dependsOn.map((n) => record.jobs.get(n.toLowerCase())).filter((r): r is JobRecord => r !== undefined),
          );
        if (lower === 'stagedependencies') return stageDependencies();
        return undefined;
      };
      const r = await this.runJob(stage, job, store, record.jobs, roots);
      record.jobs.set(job.name.toLowerCase(), r);
      record.result = worse(record.result, r.result);
    }
    return record;
  }

  private async runJob(
    stage: Stage,
    job: Job,
    stageStore: VariableStore,
    jobRecords: Map<string, JobRecord>,
    roots: (name: string) => Value | undefined,
  ): Promise<JobRecord> {
    const record: JobRecord = { name: job.name, result: 'Skipped', outputs: {} };
    const go = this.dependencyCondition(job.condition, job.dependsOn, jobRecords, stageStore.child(), roots);
    if (go !== true) {
      this.skipSteps(
        jobSteps(job),
        typeof go === 'string' ? go : `job '${job.name}' was skipped (condition '${job.condition ?? 'succeeded()'}' was false)`,
      );
      record.result = typeof go === 'string' ? 'Failed' : 'Skipped';
      return record;
    }
    let result: StepResult = 'Skipped';
    for (const leg of job.legs) {
      const legResult = await this.runLeg(stage, job, leg, stageStore, roots, record.outputs);
      result = worse(result, legResult);
    }
    if (result === 'Failed' && job.continueOnError) result = 'SucceededWithIssues';
    record.result = result;
    return record;
  }

  /** The keys an output variable is read by from other jobs, for a step of this leg and phase. */
  private outputKeys(job: Job, leg: JobLeg, phase: JobPhase, step: string, variable: string): string[] {
    if (job.kind === 'deployment') {
      const keys = [`${job.name}.${step}.${variable}`];
      if (job.environment?.resourceName && phase.hook)
        keys.push(`${phase.hook[0].toUpperCase()}${phase.hook.slice(1)}_${job.environment.resourceName}.${step}.${variable}`);
      return keys;
    }
    return [leg.name ? `${leg.name}.${step}.${variable}` : `${step}.${variable}`];
  }

  private async runLeg(
    stage: Stage,
    job: Job,
    leg: JobLeg,
    stageStore: VariableStore,
    roots: (name: string) => Value | undefined,
    outputs: Record<string, string>,
  ): Promise<StepResult> {
    const store = stageStore.child();
    for (const [name, value] of Object.entries(
      jobVariables(stage, { name: leg.name ?? job.name, displayName: leg.displayName }, 'Succeeded'),
    ))
      store.set(name, value);
    if (job.environment) {
      store.set('Environment.Name', job.environment.name);
      if (job.environment.resourceName) store.set('Environment.ResourceName', job.environment.resourceName);
    }
    this.defineVariables(store, job.variables, roots);
    this.defineVariables(store, leg.variables);
    const firstStep = leg.phases.flatMap((p) => p.steps)[0];
    if (job.note && firstStep) this.options.reporter.line(this.view(firstStep), { kind: 'note', text: job.note });
    let status: StepResult = 'Succeeded';
    for (const phase of leg.phases) {
      const runs =
        phase.when === 'success'
          ? status === 'Succeeded' || status === 'SucceededWithIssues'
          : phase.when === 'onSuccess'
            ? status !== 'Failed' && status !== 'Canceled'
            : status === 'Failed' || status === 'Canceled';
      if (!runs || (this.cancelled && phase.when !== 'onFailure')) {
        this.skipSteps(
          phase.steps,
          `the ${phase.hook ?? 'job'} hook did not run (the deployment ${phase.when === 'onFailure' ? 'did not fail' : status === 'Succeeded' ? 'succeeded' : 'failed before it'})`,
        );
        continue;
      }
      // Each hook of a deployment job runs as a job of its own: its steps see its own status and output variables.
      const phaseStore = phase.hook ? store.child() : store;
      if (phase.hook) phaseStore.set('Strategy.CycleName', phase.hook);
      const pathPrefix: string[] = [];
      let phaseStatus: StepResult = 'Succeeded';
      for (const step of phase.steps) {
        const record = await this.runStep(step, phaseStore, phaseStatus, pathPrefix, (name, value) => {
          if (step.name) for (const key of this.outputKeys(job, leg, phase, step.name, name)) outputs[key] = value;
        });
        this.records.push(record);
        this.options.reporter.stepFinished(record);
        if (record.result !== 'Skipped') phaseStatus = worse(phaseStatus, record.result);
        phaseStore.set('Agent.JobStatus', phaseStatus);
      }
      status = phase.when === 'success' ? worse(status, phaseStatus) : worse(status, phaseStatus === 'Failed' ? 'Failed' : 'Succeeded');
    }
    return status;
  }

  private async runStep(
    step: Step,
    store: VariableStore,
    jobStatus: StepResult,
    pathPrefix: string[],
    onOutput: (name: string, value: string) => void,
  ): Promise<StepRecord> {
    const view = this.view(step);
    if (!step.enabled) return { view, result: 'Skipped', message: 'disabled (enabled: false)' };
    const go = this.evaluate(step.condition, store, (fn, names) => {
      if (names.length > 0) throw new ExpressionError(`${fn}() takes job or stage names only in a job's or a stage's condition.`);
      return evaluateStatusOfJobSoFar(fn, jobStatus, this.cancelled);
    });
    if (typeof go === 'string') return { view, result: 'Failed', message: go };
    if (!go) return { view, result: 'Skipped', message: `condition '${step.condition ?? 'succeeded()'}' was false` };
    // The display name may use variables that earlier steps of this job set.
    view.label = this.label(step, store);
    this.options.reporter.stepStarted(view);
    const started = this.options.now();
    let outcome = await this.execute(step, store, pathPrefix, view);
    // retryCountOnTaskFailure: a failed step runs again, after 1 s, 2 s, 4 s… (at most 10 s), as the agent retries.
    for (let attempt = 1; attempt <= step.retryCount && outcome.result === 'Failed' && !this.cancelled; attempt++) {
      const delay = Math.min(1000 * 2 ** (attempt - 1), 10_000);
      this.options.reporter.line(view, {
        kind: 'warning',
        text: `${outcome.message ?? 'The step failed.'} Retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${step.retryCount + 1}, retryCountOnTaskFailure).`,
      });
      await new Promise((r) => setTimeout(r, delay));
      outcome = await this.execute(step, store, pathPrefix, view);
    }
    const { problems, buildNumber } = await applyStepEffects(step, outcome.effects, {
      store,
      pathPrefix,
      outputs: this.options.outputs,
      report: (line) => this.options.reporter.line(view, line),
    });
    for (const v of outcome.effects.variables) if (v.isOutput) onOutput(v.name, v.value);
    if (buildNumber) {
      this.buildNumber = buildNumber;
      this.root.set('Build.BuildNumber', buildNumber);
    }
    let result = outcome.result;
    let message = outcome.message;
    if (problems.length > 0 && result === 'Succeeded') {
      result = 'SucceededWithIssues';
      message = problems.join(' ');
    }
    if (result === 'Failed' && step.continueOnError) result = 'SucceededWithIssues';
    return { view, result, message, durationMs: this.options.now() - started };
  }

  /** `download:`: this run's artifacts (`.outerloop/artifacts`), or a pipeline resource's (`--pipeline-artifacts`), into the workspace. */
  private async download(
    step: DownloadStep,
    store: VariableStore,
    sink: (line: { kind: 'note'; text: string }) => void,
  ): Promise<Pick<StepOutcome, 'result' | 'message'>> {
    if (step.source === 'none') return { result: 'Succeeded' };
    const workspace = store.value('Pipeline.Workspace') ?? this.options.outputs.outerloopDir;
    const current = step.source.toLowerCase() === 'current';
    const alias = this.pipeline.pipelineResources.find((p) => p.alias.toLowerCase() === step.source.toLowerCase());
    const from = current
      ? this.options.outputs.artifactsDir
      : Object.entries(this.options.pipelineArtifacts ?? {}).find(([a]) => a.toLowerCase() === step.source.toLowerCase())?.[1];
    if (!from)
      return {
        result: 'Failed',
        message: `No artifacts for the pipeline resource '${step.source}'${alias ? ` (${alias.source})` : ''}: give them with --pipeline-artifacts ${step.source}=DIR (a folder of artifact folders, such as the other pipeline's .outerloop/artifacts).`,
      };
    const artifact = step.artifact ? store.expand(step.artifact) : undefined;
    const base = current ? workspace : join(workspace, step.source);
    const target = step.targetPath
      ? resolve(store.value('System.DefaultWorkingDirectory') ?? '.', store.expand(step.targetPath))
      : artifact
        ? join(base, artifact)
        : base;
    const done = await downloadArtifacts(from, artifact, target, step.patterns ? store.expand(step.patterns) : undefined);
    if ('problem' in done) return { result: 'Failed', message: `Could not download: ${done.problem}` };
    sink({
      kind: 'note',
      text:
        done.copied.length > 0
          ? `downloaded ${done.copied.join(', ')} to ${this.options.outputs.display(target)}`
          : 'no artifacts to download yet.',
    });
    return { result: 'Succeeded' };
  }

  private async execute(step: Step, store: VariableStore, pathPrefix: string[], view: StepView): Promise<StepOutcome> {
    const empty: StepEffects = { variables: [], artifacts: [], testResults: [], attachments: [], prependPath: [], warnings: 0, errors: 0 };
    const baseEnv = { ...this.options.baseEnv };
    if (pathPrefix.length > 0) baseEnv['PATH'] = [...pathPrefix, baseEnv['PATH'] ?? ''].join(delimiter);
    const context: StepRunContext = {
      variables: store,
      baseEnv,
      sourcesDir: store.value('System.DefaultWorkingDirectory') ?? process.cwd(),
      tempDir: store.value('Agent.TempDirectory') ?? '/tmp',
      endpoints: this.options.endpoints,
      masker: this.options.masker,
      sink: (line) => this.options.reporter.line(view, line),
      debug: (store.value('System.Debug') ?? '').toLowerCase() === 'true',
      // A step that runs after the cancellation (always(), canceled()) is not cancelled in turn.
      signal: this.cancelled ? new AbortController().signal : this.options.signal,
      timeoutMs: step.timeoutInMinutes ? step.timeoutInMinutes * 60_000 : undefined,
    };
    try {
      switch (step.kind) {
        case 'task':
          return await runTaskStep(step, this.options.catalog.resolve(step.taskName, step.major), context);
        case 'script':
          return await runScriptStep(step, context);
        case 'publish':
          return {
            result: 'Succeeded',
            effects: { ...empty, artifacts: [{ name: store.expand(step.artifact), path: store.expand(step.publishPath) }] },
          };
        case 'checkout':
          context.sink({
            kind: 'note',
            text:
              step.repository === 'none' ? 'checkout: none.' : `the working tree ${context.sourcesDir} is the checkout; nothing to fetch.`,
          });
          return { result: 'Succeeded', effects: empty };
        case 'download':
          return { ...(await this.download(step, store, context.sink)), effects: empty };
      }
    } catch (err) {
      if (err instanceof OuterloopError) return { result: 'Failed', message: err.message, effects: empty };
      return { result: 'Failed', message: `outerloop run could not run this step: ${describeError(err)}`, effects: empty };
    }
  }
}

/** What a step runs, for the report: `DockerBuildTag@1`, `script`, `bash`… */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'task':
      return step.reference;
    case 'script':
      return step.keyword;
    case 'publish':
      return 'publish';
    case 'checkout':
      return 'checkout';
    case 'download':
      return 'download';
  }
}
