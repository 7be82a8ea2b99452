import { delimiter } from 'node:path';
import { expandMacros } from '../agent/macros';
import type { TaskManifest } from '../agent/task-manifest';
import type { EndpointSpec } from '../agent/task-runner';
import { describeError, OuterloopError } from '../common/errors';
import { ExpressionError } from './expression-parser';
import { compileCondition, evaluateCondition, type StatusFunction } from './expression-eval';
import type { RunOutputs } from './collect';
import { applyStepEffects } from './effects';
import type { SecretMasker } from './mask';
import { allSteps, type Job, type Pipeline, type Stage, type Step, type VariableDefinition } from './model';
import { DEFAULT_BUILD_NUMBER_FORMAT, formatBuildNumber, jobVariables } from './predefined';
import type { RunReporter, StepRecord, StepResult, StepView } from './report';
import { runScriptStep } from './script-step';
import { dependencyOrder, dependencyStatus, stepStatus, worse } from './status';
import type { StepOutcome, StepRunContext } from './step-context';
import type { StepEffects } from './step-output';
import type { TaskCatalog } from './task-catalog';
import { runTaskStep } from './task-step';
import { VariableStore } from './variables';

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
    const stageResults = new Map<string, StepResult>();
    for (const stage of dependencyOrder(this.pipeline.stages, 'stage', this.pipeline.file)) {
      stageResults.set(stage.name.toLowerCase(), await this.runStage(stage, stageResults));
    }
    let result: StepResult = 'Skipped';
    for (const r of stageResults.values()) result = worse(result, r);
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
  private defineVariables(store: VariableStore, definitions: VariableDefinition[]): void {
    const overridden = new Set([...Object.keys(this.options.overrides), ...Object.keys(this.options.secrets)].map((k) => k.toLowerCase()));
    for (const d of definitions) {
      if (overridden.has(d.name.toLowerCase())) continue;
      let value: string;
      try {
        value = store.resolveDefinition(d.value);
      } catch (err) {
        if (err instanceof ExpressionError) throw new OuterloopError(`${this.pipeline.file}: variable '${d.name}': ${err.message}`);
        throw err;
      }
      store.set(d.name, value, { readonly: d.readonly, define: true });
    }
    for (const [name, value] of Object.entries(this.options.overrides)) store.set(name, value, { define: true });
  }

  private indexSteps(): void {
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
    const job = owner && !owner.job.implicit ? [owner.job.displayName] : [];
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
  private dependencyCondition(condition: string | undefined, dependsOn: string[], results: Map<string, StepResult>, store: VariableStore): boolean | string {
    return this.evaluate(condition, store, (fn, names) =>
      dependencyStatus(fn, (names.length > 0 ? names : dependsOn).map((n) => results.get(n.toLowerCase()) ?? 'Skipped'), this.cancelled),
    );
  }

  /** True or false, or the reason the condition could not be evaluated. */
  private evaluate(condition: string | undefined, store: VariableStore, status: (fn: StatusFunction, names: string[]) => boolean): boolean | string {
    try {
      return evaluateCondition(compileCondition(condition ?? 'succeeded()'), { variable: (n) => store.value(n), status });
    } catch (err) {
      if (err instanceof ExpressionError) return `condition '${condition}' could not be evaluated: ${err.message}`;
      throw err;
    }
  }

  private async runStage(stage: Stage, stageResults: Map<string, StepResult>): Promise<StepResult> {
    const steps = stage.jobs.flatMap((j) => j.steps);
    const store = this.root.child();
    const go = this.dependencyCondition(stage.condition, stage.dependsOn, stageResults, store);
    if (go !== true) {
      this.skipSteps(steps, typeof go === 'string' ? go : `stage '${stage.name}' was skipped (condition '${stage.condition ?? 'succeeded()'}' was false)`);
      return typeof go === 'string' ? 'Failed' : 'Skipped';
    }
    this.defineVariables(store, stage.variables);
    const jobResults = new Map<string, StepResult>();
    let result: StepResult = 'Skipped';
    for (const job of dependencyOrder(stage.jobs, 'job', this.pipeline.file)) {
      const r = await this.runJob(stage, job, store, jobResults);
      jobResults.set(job.name.toLowerCase(), r);
      result = worse(result, r);
    }
    return result;
  }

  private async runJob(stage: Stage, job: Job, stageStore: VariableStore, jobResults: Map<string, StepResult>): Promise<StepResult> {
    const store = stageStore.child();
    const go = this.dependencyCondition(job.condition, job.dependsOn, jobResults, store);
    if (go !== true) {
      this.skipSteps(job.steps, typeof go === 'string' ? go : `job '${job.name}' was skipped (condition '${job.condition ?? 'succeeded()'}' was false)`);
      return typeof go === 'string' ? 'Failed' : 'Skipped';
    }
    for (const [name, value] of Object.entries(jobVariables(stage, job, 'Succeeded'))) store.set(name, value);
    this.defineVariables(store, job.variables);
    const pathPrefix: string[] = [];
    let status: StepResult = 'Succeeded';
    for (const step of job.steps) {
      const record = await this.runStep(step, store, status, pathPrefix);
      this.records.push(record);
      this.options.reporter.stepFinished(record);
      if (record.result !== 'Skipped') status = worse(status, record.result);
      store.set('Agent.JobStatus', status);
    }
    if (status === 'Failed' && job.continueOnError) status = 'SucceededWithIssues';
    return status;
  }

  private async runStep(step: Step, store: VariableStore, jobStatus: StepResult, pathPrefix: string[]): Promise<StepRecord> {
    const view = this.view(step);
    if (!step.enabled) return { view, result: 'Skipped', message: 'disabled (enabled: false)' };
    const go = this.evaluate(step.condition, store, (fn, names) => {
      if (names.length > 0) throw new ExpressionError(`${fn}() takes job or stage names only in a job's or a stage's condition.`);
      return stepStatus(fn, jobStatus, this.cancelled);
    });
    if (typeof go === 'string') return { view, result: 'Failed', message: go };
    if (!go) return { view, result: 'Skipped', message: `condition '${step.condition ?? 'succeeded()'}' was false` };
    // The display name may use variables that earlier steps of this job set.
    view.label = this.label(step, store);
    this.options.reporter.stepStarted(view);
    const started = this.options.now();
    const outcome = await this.execute(step, store, pathPrefix, view);
    const { problems, buildNumber } = await applyStepEffects(step, outcome.effects, {
      store,
      pathPrefix,
      outputs: this.options.outputs,
      report: (line) => this.options.reporter.line(view, line),
    });
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
          return { result: 'Succeeded', effects: { ...empty, artifacts: [{ name: store.expand(step.artifact), path: store.expand(step.publishPath) }] } };
        case 'checkout':
          context.sink({ kind: 'note', text: step.repository === 'none' ? 'checkout: none.' : `the working tree ${context.sourcesDir} is the checkout; nothing to fetch.` });
          return { result: 'Succeeded', effects: empty };
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
  }
}
