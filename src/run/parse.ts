import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { FileError, OuterloopError } from '../common/errors';
import { ExpressionError } from './expression-parser';
import { compileCondition, rootsOf } from './expression-eval';
import { LIFECYCLE_HOOKS, type DownloadStep, type Job, type JobLeg, type JobPhase, type Pipeline, type Stage, type Step, type StepCommon, type VariableDefinition } from './model';
import type { YamlValue } from './pipeline-yaml';
import { dependencyOrder } from './status';
import { expandPipeline, locateInDocument, type ExpandOptions } from './template-expand';

/**
 * Reads an azure-pipelines.yml into the {@link Pipeline} model, after compile-time expansion
 * (templates, parameters, `${{ }}`: see template-expand.ts). Every scalar is text, as the service
 * reads it, so `1.10` stays `1.10`. Everything `outerloop run` cannot honour (variable groups,
 * container jobs, other repositories) is an error that names the key and the file and line it was
 * written at, never silently dropped.
 */

type Node = unknown;
type Mapping = Record<string, Node>;

/** Keys that only matter to the service (triggers, agent pools): accepted and ignored locally. */
const IGNORED_TOP = ['trigger', 'pr', 'schedules', 'pool', 'appendCommitMessageToRunName', 'lockBehavior'];
/** The roots a condition or `$[ ]` may read at each level (variables everywhere). */
const STEP_ROOTS: string[] = [];
const JOB_ROOTS = ['dependencies', 'stagedependencies'];
const STAGE_ROOTS = ['dependencies', 'stagedependencies'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `path.key`, or `key` at the top level. */
function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Reader {
  constructor(
    readonly file: string,
    private readonly locate: (path: string) => string | undefined = () => undefined,
    /** Whether a program is installed (pwsh: steps need it). */
    readonly hasProgram: (name: string) => boolean = () => true,
  ) {}

  fail(path: string, detail: string): never {
    throw new FileError(this.locate(path) ?? this.file, path ? `${path}: ${detail}` : detail);
  }

  mapping(node: Node, path: string): Mapping {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) this.fail(path, 'must be a mapping (key: value).');
    return node as Mapping;
  }

  list(node: Node, path: string): Node[] {
    if (!Array.isArray(node)) this.fail(path, 'must be a list (lines starting with -).');
    return node;
  }

  text(node: Node, path: string): string {
    if (typeof node !== 'string') this.fail(path, 'must be a single value, not a list or a mapping.');
    return node;
  }

  optionalText(m: Mapping, key: string, path: string): string | undefined {
    if (!(key in m)) return undefined;
    const value = this.text(m[key], at(path, key));
    return value.trim() === '' ? undefined : value;
  }

  boolean(m: Mapping, key: string, path: string, fallback: boolean): boolean {
    if (!(key in m)) return fallback;
    const value = this.text(m[key], at(path, key)).trim().toLowerCase();
    if (value === 'true' || value === 'yes' || value === 'on') return true;
    if (value === 'false' || value === 'no' || value === 'off' || value === '') return false;
    this.fail(at(path, key), `must be true or false, not '${value}'.`);
  }

  positiveNumber(m: Mapping, key: string, path: string): number | undefined {
    const raw = this.optionalText(m, key, path);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) this.fail(at(path, key), `must be a number of minutes, not '${raw}'.`);
    return n === 0 ? undefined : n;
  }

  names(m: Mapping, key: string, path: string): string[] | undefined {
    if (!(key in m)) return undefined;
    const node = m[key];
    if (typeof node === 'string') return node.trim() === '' ? [] : [node.trim()];
    return this.list(node, at(path, key)).map((n, i) => this.text(n, `${at(path, key)}[${i}]`).trim());
  }

  condition(m: Mapping, path: string, roots: string[]): string | undefined {
    const condition = this.optionalText(m, 'condition', path);
    if (condition === undefined) return undefined;
    this.checkExpression(condition, `${path}.condition`, roots);
    return condition;
  }

  /** Parses an expression, and checks that it reads only what this level can see. */
  checkExpression(text: string, path: string, roots: string[]): void {
    try {
      const expression = compileCondition(text);
      const root = rootsOf(expression).find((r) => !roots.includes(r));
      if (root !== undefined) {
        const where = roots.length > 0 ? `here (${roots.join(', ')} and variables can)` : `in a step's condition (only variables can)`;
        throw new ExpressionError(`'${root}' cannot be read ${where}`);
      }
    } catch (err) {
      if (err instanceof ExpressionError) this.fail(path, `${err.message.replace(/\.$/, '')} in '${text.trim()}'.`);
      throw err;
    }
  }

  onlyKeys(m: Mapping, path: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(m)) {
      if (!allowed.includes(key)) this.fail(at(path, key), `is not a key of ${what} that outerloop run knows (it knows ${allowed.join(', ')}).`);
    }
  }

  stringMap(m: Mapping, key: string, path: string): Record<string, string> {
    if (!(key in m) || m[key] === '') return {};
    const source = this.mapping(m[key], at(path, key));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(source)) out[k] = this.text(v, `${path}.${key}.${k}`);
    return out;
  }
}

/** Reads the `variables:` of the pipeline, a stage or a job, in mapping or list form. */
function readVariables(r: Reader, owner: Mapping, path: string, roots: string[]): VariableDefinition[] {
  if (!('variables' in owner) || owner['variables'] === '') return [];
  const node = owner['variables'];
  const where = at(path, 'variables');
  const checked = (d: VariableDefinition, at_: string): VariableDefinition => {
    const runtime = /^\s*\$\[([\s\S]*)\]\s*$/.exec(d.value);
    if (runtime) r.checkExpression(runtime[1], at_, roots);
    return d;
  };
  if (!Array.isArray(node)) {
    return Object.entries(r.mapping(node, where)).map(([name, value]) => checked({ name, value: r.text(value, `${where}.${name}`), readonly: false }, `${where}.${name}`));
  }
  return node.map((item, i) => {
    const m = r.mapping(item, `${where}[${i}]`);
    if ('group' in m) r.fail(`${where}[${i}]`, `variable groups ('group: ${String(m['group'])}') are not supported by outerloop run; pass their values with --var, --secret or --variables-file.`);
    r.onlyKeys(m, `${where}[${i}]`, ['name', 'value', 'readonly'], 'a variable');
    const name = r.optionalText(m, 'name', `${where}[${i}]`);
    if (!name) r.fail(`${where}[${i}]`, 'a variable needs a name.');
    const value = 'value' in m ? r.text(m['value'], `${where}[${i}].value`) : '';
    return checked({ name: name.trim(), value, readonly: r.boolean(m, 'readonly', `${where}[${i}]`, false) }, `${where}[${i}].value`);
  });
}

const COMMON_STEP_KEYS = ['name', 'displayName', 'condition', 'continueOnError', 'enabled', 'env', 'timeoutInMinutes', 'target', 'retryCountOnTaskFailure'];
const UNSUPPORTED_STEPS: Record<string, string> = {
  downloadBuild: 'downloadBuild steps',
  getPackage: 'getPackage steps',
  reviewApp: 'reviewApp steps',
};

function readRetryCount(r: Reader, m: Mapping, path: string): number {
  const raw = r.optionalText(m, 'retryCountOnTaskFailure', path)?.trim();
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10) r.fail(`${path}.retryCountOnTaskFailure`, `must be a whole number from 0 to 10, not '${raw}'.`);
  return n;
}

function readStepCommon(r: Reader, m: Mapping, path: string, defaultName: string): StepCommon {
  const name = r.optionalText(m, 'name', path)?.trim();
  if (name !== undefined && !NAME.test(name)) r.fail(`${path}.name`, `'${name}' is not a valid step name: use letters, digits and _, not starting with a digit.`);
  return {
    path,
    name,
    displayName: r.optionalText(m, 'displayName', path) ?? defaultName,
    condition: r.condition(m, path, STEP_ROOTS),
    continueOnError: r.boolean(m, 'continueOnError', path, false),
    enabled: r.boolean(m, 'enabled', path, true),
    env: r.stringMap(m, 'env', path),
    timeoutInMinutes: r.positiveNumber(m, 'timeoutInMinutes', path),
    retryCount: readRetryCount(r, m, path),
  };
}

function readStep(r: Reader, node: Node, path: string, resources: Set<string>): Step {
  const m = r.mapping(node, path);
  for (const [key, what] of Object.entries(UNSUPPORTED_STEPS)) {
    if (key in m) r.fail(path, `${what} are not supported by outerloop run.`);
  }
  if ('task' in m) {
    const builtin = readArtifactTask(r, m, path, resources);
    if (builtin) return builtin;
    r.onlyKeys(m, path, ['task', 'inputs', ...COMMON_STEP_KEYS], 'a task step');
    const reference = r.text(m['task'], `${path}.task`).trim();
    const match = /^([A-Za-z0-9_.-]+)@([0-9]+)$/.exec(reference);
    if (!match) r.fail(`${path}.task`, `'${reference}' must name a task and its major version, e.g. DockerBuildTag@1.`);
    const inputs: Record<string, string> = {};
    if ('inputs' in m && m['inputs'] !== '') {
      for (const [key, value] of Object.entries(r.mapping(m['inputs'], `${path}.inputs`))) inputs[key] = r.text(value, `${path}.inputs.${key}`);
    }
    return { kind: 'task', reference, taskName: match[1], major: Number(match[2]), inputs, ...readStepCommon(r, m, path, reference) };
  }
  for (const key of ['script', 'bash', 'pwsh', 'powershell'] as const) {
    if (!(key in m)) continue;
    const powershell = key === 'pwsh' || key === 'powershell';
    r.onlyKeys(m, path, [key, 'workingDirectory', 'failOnStderr', ...(powershell ? ['errorActionPreference', 'ignoreLASTEXITCODE'] : []), ...COMMON_STEP_KEYS], `a ${key} step`);
    if (powershell && !r.hasProgram('pwsh')) r.fail(at(path, key), 'needs PowerShell (pwsh), which is not installed on this machine (not on PATH).');
    if (powershell) {
      for (const option of ['errorActionPreference', 'ignoreLASTEXITCODE']) if (option in m) r.fail(at(path, option), 'is not supported by outerloop run (it runs PowerShell with its defaults: stop on error, exit with $LASTEXITCODE).');
    }
    const script = r.text(m[key], at(path, key));
    const firstLine = script.trim().split('\n')[0] ?? '';
    const label = key === 'bash' ? 'Bash' : key === 'script' ? 'CmdLine' : 'PowerShell';
    return {
      kind: 'script',
      keyword: key,
      script,
      workingDirectory: r.optionalText(m, 'workingDirectory', path),
      failOnStderr: r.boolean(m, 'failOnStderr', path, false),
      ...readStepCommon(r, m, path, `${label}: ${firstLine.length > 60 ? `${firstLine.slice(0, 57)}...` : firstLine}`),
    };
  }
  if ('publish' in m) {
    r.onlyKeys(m, path, ['publish', 'artifact', ...COMMON_STEP_KEYS], 'a publish step');
    const artifact = r.optionalText(m, 'artifact', path);
    if (!artifact) r.fail(`${path}.artifact`, 'a publish step needs the artifact name.');
    return { kind: 'publish', publishPath: r.text(m['publish'], `${path}.publish`), artifact: artifact.trim(), ...readStepCommon(r, m, path, `Publish artifact: ${artifact.trim()}`) };
  }
  if ('download' in m) {
    r.onlyKeys(m, path, ['download', 'artifact', 'patterns', 'path', ...COMMON_STEP_KEYS], 'a download step');
    const source = r.text(m['download'], `${path}.download`).trim();
    const artifact = r.optionalText(m, 'artifact', path)?.trim();
    if (source.toLowerCase() === 'none') {
      return { kind: 'download', source: 'none', ...readStepCommon(r, m, path, 'Download artifacts: none') };
    }
    checkDownloadSource(r, source, `${path}.download`, resources);
    const step: DownloadStep = { kind: 'download', source, artifact, patterns: r.optionalText(m, 'patterns', path), targetPath: r.optionalText(m, 'path', path), ...readStepCommon(r, m, path, `Download ${artifact ? `artifact ${artifact}` : 'artifacts'} (${source})`) };
    return step;
  }
  if ('checkout' in m) {
    const repository = r.text(m['checkout'], `${path}.checkout`).trim();
    const common = readStepCommon(r, { ...m, env: '' }, path, `Checkout ${repository}`);
    return { kind: 'checkout', repository, ...common };
  }
  r.fail(path, 'is not a step outerloop run knows: use task:, script:, bash:, publish:, download:, checkout: or template:.');
}

function checkDownloadSource(r: Reader, source: string, path: string, resources: Set<string>): void {
  if (source.toLowerCase() !== 'current' && !resources.has(source.toLowerCase())) {
    r.fail(path, `'${source}' is neither current nor the alias of a pipeline in resources.pipelines${resources.size > 0 ? ` (${[...resources].join(', ')})` : ''}.`);
  }
}

/**
 * PublishPipelineArtifact@1 and DownloadPipelineArtifact@2 are built into the agent's artifact
 * service; locally they are the publish: and download: shortcuts they stand for.
 */
function readArtifactTask(r: Reader, m: Mapping, path: string, resources: Set<string>): Step | undefined {
  const reference = typeof m['task'] === 'string' ? m['task'].trim() : '';
  const name = reference.toLowerCase();
  if (name !== 'publishpipelineartifact@1' && name !== 'downloadpipelineartifact@2') return undefined;
  r.onlyKeys(m, path, ['task', 'inputs', ...COMMON_STEP_KEYS], 'a task step');
  const inputs = new Map<string, string>();
  if ('inputs' in m && m['inputs'] !== '') {
    for (const [key, value] of Object.entries(r.mapping(m['inputs'], `${path}.inputs`))) inputs.set(key.toLowerCase(), r.text(value, `${path}.inputs.${key}`));
  }
  const input = (...names: string[]): string | undefined => names.map((n) => inputs.get(n.toLowerCase())).find((v) => v !== undefined && v.trim() !== '')?.trim();
  if (name === 'publishpipelineartifact@1') {
    const publishPath = input('targetPath', 'path') ?? '$(Pipeline.Workspace)';
    const artifact = input('artifact', 'artifactName') ?? 'drop';
    return { kind: 'publish', publishPath, artifact, ...readStepCommon(r, m, path, reference) };
  }
  const buildType = input('buildType', 'source') ?? 'current';
  let source = 'current';
  if (buildType.toLowerCase() !== 'current') {
    const alias = input('pipeline', 'definition');
    if (!alias) r.fail(`${path}.inputs`, `${reference} with buildType '${buildType}' needs a pipeline: the alias of one in resources.pipelines.`);
    checkDownloadSource(r, alias, `${path}.inputs.pipeline`, resources);
    source = alias;
  }
  return { kind: 'download', source, artifact: input('artifact', 'artifactName'), patterns: input('patterns', 'itemPattern'), targetPath: input('targetPath', 'path', 'downloadPath'), ...readStepCommon(r, m, path, reference) };
}

function readSteps(r: Reader, m: Mapping, path: string, resources: Set<string>, key = 'steps'): Step[] {
  const where = at(path, key);
  if (!(key in m)) r.fail(path, `has no ${key}.`);
  const steps = m[key] === '' ? [] : r.list(m[key], where).map((s, i) => readStep(r, s, `${where}[${i}]`, resources));
  const seen = new Set<string>();
  for (const step of steps) {
    if (!step.name) continue;
    if (seen.has(step.name.toLowerCase())) r.fail(`${step.path}.name`, `step name '${step.name}' is used twice in one job.`);
    seen.add(step.name.toLowerCase());
  }
  return steps;
}

const JOB_KEYS = ['displayName', 'dependsOn', 'condition', 'continueOnError', 'variables', 'pool', 'workspace', 'timeoutInMinutes', 'cancelTimeoutInMinutes', 'strategy', 'uses', 'templateContext'];

/** `strategy: matrix:` / `parallel:`: the legs, run one after another, named as the service names them. */
function readLegs(r: Reader, m: Mapping, path: string, displayName: string, read: (legPath: string) => JobPhase[]): JobLeg[] {
  if (!('strategy' in m) || m['strategy'] === '') return [{ displayName, variables: [], phases: read(path) }];
  const where = at(path, 'strategy');
  const strategy = r.mapping(m['strategy'], where);
  r.onlyKeys(strategy, where, ['matrix', 'parallel', 'maxParallel'], 'a job strategy');
  if ('matrix' in strategy) {
    const matrixPath = `${where}.matrix`;
    if (typeof strategy['matrix'] === 'string') r.fail(matrixPath, 'a matrix computed at run time ($[ ]) is not supported by outerloop run; write the legs, or build them with ${{ each }}.');
    const legs = Object.entries(r.mapping(strategy['matrix'], matrixPath));
    if (legs.length === 0) r.fail(matrixPath, 'has no legs.');
    return legs.map(([leg, vars]) => {
      if (!NAME.test(leg)) r.fail(`${matrixPath}.${leg}`, `'${leg}' is not a valid matrix leg name: use letters, digits and _.`);
      const variables = Object.entries(r.mapping(vars, `${matrixPath}.${leg}`)).map(([name, value]) => ({ name, value: r.text(value, `${matrixPath}.${leg}.${name}`), readonly: false }));
      return { name: leg, displayName: `${displayName} ${leg}`, variables, phases: read(path) };
    });
  }
  if ('parallel' in strategy) {
    const raw = r.text(strategy['parallel'], `${where}.parallel`).trim();
    const count = Number(raw);
    if (!Number.isInteger(count) || count < 1 || count > 99) r.fail(`${where}.parallel`, `must be a number of jobs from 1 to 99, not '${raw}'.`);
    return Array.from({ length: count }, (_, i) => ({
      name: `Job${i + 1}`,
      displayName: `${displayName} (${i + 1} of ${count})`,
      variables: [
        { name: 'System.JobPositionInPhase', value: String(i + 1), readonly: false },
        { name: 'System.TotalJobsInPhase', value: String(count), readonly: false },
      ],
      phases: read(path),
    }));
  }
  return [{ displayName, variables: [], phases: read(path) }];
}

/** A deployment job's `strategy:` (runOnce, or rolling and canary run as runOnce): its hooks. */
function readDeploymentPhases(r: Reader, m: Mapping, path: string, resources: Set<string>): { phases: JobPhase[]; note?: string } {
  const where = at(path, 'strategy');
  if (!('strategy' in m)) r.fail(path, 'a deployment job needs a strategy (runOnce, rolling or canary).');
  const strategy = r.mapping(m['strategy'], where);
  const names = Object.keys(strategy);
  if (names.length !== 1 || !['runOnce', 'rolling', 'canary'].includes(names[0])) r.fail(where, 'must hold one of runOnce, rolling or canary.');
  const kind = names[0];
  const hooksPath = `${where}.${kind}`;
  const hooks = r.mapping(strategy[kind], hooksPath);
  const extra = kind === 'rolling' ? ['maxParallel'] : kind === 'canary' ? ['increments'] : [];
  r.onlyKeys(hooks, hooksPath, [...LIFECYCLE_HOOKS, 'on', ...extra], `the ${kind} strategy`);
  const hookSteps = (node: Node, hookPath: string): Step[] => {
    const hook = r.mapping(node, hookPath);
    r.onlyKeys(hook, hookPath, ['steps', 'pool'], 'a lifecycle hook');
    return readSteps(r, hook, hookPath, resources);
  };
  const phases: JobPhase[] = [];
  for (const hook of LIFECYCLE_HOOKS) {
    if (!(hook in hooks)) continue;
    const hookPath = `${hooksPath}.${hook}`;
    const steps = hookSteps(hooks[hook], hookPath);
    // The deploy hook downloads this run's artifacts first, as on the service, unless it has a download step (download: none stops it).
    if (hook === 'deploy' && !steps.some((s) => s.kind === 'download')) {
      steps.unshift({ kind: 'download', source: 'current', path: `${hookPath}.steps`, displayName: 'Download artifacts (current)', continueOnError: false, enabled: true, env: {}, retryCount: 0 });
    }
    phases.push({ hook, when: 'success', steps: steps.filter((s) => !(s.kind === 'download' && s.source === 'none')) });
  }
  if ('on' in hooks) {
    const on = r.mapping(hooks['on'], `${hooksPath}.on`);
    r.onlyKeys(on, `${hooksPath}.on`, ['failure', 'success'], 'on:');
    if ('failure' in on) phases.push({ hook: 'on.failure', when: 'onFailure', steps: hookSteps(on['failure'], `${hooksPath}.on.failure`) });
    if ('success' in on) phases.push({ hook: 'on.success', when: 'onSuccess', steps: hookSteps(on['success'], `${hooksPath}.on.success`) });
  }
  const note = kind === 'runOnce' ? undefined : `the ${kind} strategy runs as runOnce here: its hooks run once, in order, on this machine.`;
  return { phases, note };
}

function readEnvironment(r: Reader, m: Mapping, path: string): { name: string; resourceName?: string } {
  const where = at(path, 'environment');
  if (!('environment' in m)) r.fail(path, 'a deployment job needs an environment.');
  const node = m['environment'];
  if (typeof node === 'string') {
    const [name, resourceName] = node.trim().split('.', 2);
    if (!name) r.fail(where, 'needs the name of an environment.');
    return { name, resourceName: resourceName || undefined };
  }
  const env = r.mapping(node, where);
  r.onlyKeys(env, where, ['name', 'resourceName', 'resourceId', 'resourceType', 'tags'], 'an environment');
  const name = r.optionalText(env, 'name', where);
  if (!name) r.fail(where, 'needs name:.');
  return { name: name.trim(), resourceName: r.optionalText(env, 'resourceName', where)?.trim() };
}

function readJob(r: Reader, node: Node, path: string, resources: Set<string>): Job {
  const m = r.mapping(node, path);
  const kind = 'deployment' in m ? 'deployment' : 'job';
  if (!('job' in m) && !('deployment' in m)) r.fail(path, 'must start with job: <name> or deployment: <name>.');
  for (const key of ['container', 'services']) {
    if (key in m) r.fail(at(path, key), `is not supported by outerloop run (container jobs and service containers; it runs each job on this machine).`);
  }
  const name = r.text(m[kind], `${path}.${kind}`).trim();
  if (!NAME.test(name)) r.fail(`${path}.${kind}`, `'${name}' is not a valid job name: use letters, digits and _.`);
  const displayName = r.optionalText(m, 'displayName', path) ?? name;
  let note: string | undefined;
  let environment: Job['environment'];
  let legs: JobLeg[];
  if (kind === 'deployment') {
    r.onlyKeys(m, path, ['deployment', 'environment', ...JOB_KEYS], 'a deployment job');
    environment = readEnvironment(r, m, path);
    const deployment = readDeploymentPhases(r, m, path, resources);
    note = deployment.note;
    legs = [{ displayName, variables: [], phases: deployment.phases }];
  } else {
    r.onlyKeys(m, path, ['job', 'steps', ...JOB_KEYS], 'a job');
    legs = readLegs(r, m, path, displayName, () => [{ when: 'success', steps: readSteps(r, m, path, resources) }]);
  }
  return {
    path,
    kind,
    name,
    displayName,
    dependsOn: r.names(m, 'dependsOn', path) ?? [],
    condition: r.condition(m, path, JOB_ROOTS),
    continueOnError: r.boolean(m, 'continueOnError', path, false),
    variables: readVariables(r, m, path, JOB_ROOTS),
    environment,
    note,
    legs,
    implicit: false,
  };
}

function readJobs(r: Reader, m: Mapping, path: string, resources: Set<string>): Job[] {
  const where = at(path, 'jobs');
  const jobs = r.list(m['jobs'], where).map((j, i) => readJob(r, j, `${where}[${i}]`, resources));
  checkDependencies(r, jobs, 'job');
  return jobs;
}

function implicitJob(r: Reader, m: Mapping, path: string, resources: Set<string>): Job {
  return {
    path, kind: 'job', name: 'Job', displayName: 'Job', dependsOn: [], continueOnError: false, variables: [], implicit: true,
    legs: [{ displayName: 'Job', variables: [], phases: [{ when: 'success', steps: readSteps(r, m, path, resources) }] }],
  };
}

function readStage(r: Reader, node: Node, path: string, previous: string | undefined, resources: Set<string>): Stage {
  const m = r.mapping(node, path);
  if (!('stage' in m)) r.fail(path, 'must start with stage: <name>.');
  r.onlyKeys(m, path, ['stage', 'displayName', 'dependsOn', 'condition', 'variables', 'jobs', 'pool', 'lockBehavior', 'trigger', 'isSkippable', 'templateContext'], 'a stage');
  const name = r.text(m['stage'], `${path}.stage`).trim();
  if (!NAME.test(name)) r.fail(`${path}.stage`, `'${name}' is not a valid stage name: use letters, digits and _.`);
  if (!('jobs' in m)) r.fail(path, 'has no jobs.');
  return {
    path,
    name,
    displayName: r.optionalText(m, 'displayName', path) ?? name,
    dependsOn: r.names(m, 'dependsOn', path) ?? (previous ? [previous] : []),
    condition: r.condition(m, path, STAGE_ROOTS),
    variables: readVariables(r, m, path, STAGE_ROOTS),
    jobs: readJobs(r, m, path, resources),
    implicit: false,
  };
}

/** `resources:`: pipelines (for `download: <alias>`); the repository `self`; anything else is named. */
function readResources(r: Reader, top: Mapping): Array<{ alias: string; source: string }> {
  if (!('resources' in top) || top['resources'] === '') return [];
  const resources = r.mapping(top['resources'], 'resources');
  for (const key of Object.keys(resources)) {
    if (key !== 'pipelines' && key !== 'repositories') r.fail(`resources.${key}`, `${key} resources are not supported by outerloop run (it knows pipelines, and the repository self).`);
  }
  if ('repositories' in resources && resources['repositories'] !== '') {
    r.list(resources['repositories'], 'resources.repositories').forEach((item, i) => {
      const repo = r.mapping(item, `resources.repositories[${i}]`);
      const alias = r.optionalText(repo, 'repository', `resources.repositories[${i}]`)?.trim() ?? '';
      if (alias.toLowerCase() !== 'self') r.fail(`resources.repositories[${i}]`, `the repository '${alias}' is another repository; outerloop run works in this one only.`);
    });
  }
  if (!('pipelines' in resources) || resources['pipelines'] === '') return [];
  return r.list(resources['pipelines'], 'resources.pipelines').map((item, i) => {
    const where = `resources.pipelines[${i}]`;
    const p = r.mapping(item, where);
    r.onlyKeys(p, where, ['pipeline', 'source', 'project', 'trigger', 'branch', 'version', 'tags'], 'a pipeline resource');
    const alias = r.optionalText(p, 'pipeline', where)?.trim();
    if (!alias || !NAME.test(alias)) r.fail(where, 'a pipeline resource needs an alias of letters, digits and _ (pipeline: ci).');
    return { alias, source: r.optionalText(p, 'source', where)?.trim() ?? alias };
  });
}


function checkDependencies(r: Reader, items: Array<{ name: string; path: string; dependsOn: string[] }>, what: string): void {
  const names = new Set<string>();
  for (const item of items) {
    if (names.has(item.name.toLowerCase())) r.fail(item.path, `${what} name '${item.name}' is used twice.`);
    names.add(item.name.toLowerCase());
  }
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (!names.has(dep.toLowerCase())) r.fail(`${item.path}.dependsOn`, `names ${what} '${dep}', which this file does not define.`);
    }
  }
  try {
    dependencyOrder(items, what, r.file);
  } catch (err) {
    if (err instanceof OuterloopError) throw new FileError(r.file, err.message.slice(r.file.length + 2));
    throw err;
  }
}

/** Reads an expanded pipeline document (see {@link expandPipeline}); `file` is used in messages. Throws {@link FileError}. */
export function readPipelineDocument(doc: YamlValue | undefined, file: string, hasProgram: (name: string) => boolean = isOnPath): Pipeline {
  const r = new Reader(file, (path) => (doc === undefined ? undefined : locateInDocument(doc, path)), hasProgram);
  if (doc === undefined || doc === '') r.fail('', 'the file is empty.');
  const top = r.mapping(doc, '');
  const shapes = ['stages', 'jobs', 'steps'].filter((k) => k in top);
  if (shapes.length !== 1) r.fail('', shapes.length === 0 ? 'a pipeline needs stages:, jobs: or steps: (or extends: a template that has them).' : `use only one of ${shapes.join(' and ')} at the top level.`);
  r.onlyKeys(top, '', ['name', 'variables', 'resources', shapes[0], ...IGNORED_TOP], 'a pipeline');
  const pipelineResources = readResources(r, top);
  const aliases = new Set(pipelineResources.map((p) => p.alias.toLowerCase()));
  let stages: Stage[];
  if ('stages' in top) {
    const list = r.list(top['stages'], 'stages');
    let previous: string | undefined;
    stages = list.map((s, i) => {
      const stage = readStage(r, s, `stages[${i}]`, previous, aliases);
      previous = stage.name;
      return stage;
    });
    checkDependencies(r, stages, 'stage');
  } else {
    const jobs = 'jobs' in top ? readJobs(r, top, '', aliases) : [implicitJob(r, top, '', aliases)];
    stages = [{ path: '', name: '__default', displayName: '', dependsOn: [], variables: [], jobs, implicit: true }];
  }
  return { file, buildNumberFormat: r.optionalText(top, 'name', ''), variables: readVariables(r, top, '', []), pipelineResources, stages };
}

/** What parsing a file needs besides its text: see {@link ExpandOptions}; every part has a default. */
export type ParseOptions = Partial<ExpandOptions> & { hasProgram?: (name: string) => boolean };

/** True when `name` is an executable file in a folder of PATH. */
export function isOnPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The fully expanded pipeline file at `path`, as a document (what `outerloop run --expand` prints). */
export function expandPipelineFile(path: string, file: string, text: string, options: ParseOptions = {}): YamlValue {
  const absolute = resolve(path);
  return expandPipeline(absolute, {
    readFile: (p) => (p === absolute ? text : readFileSync(p, 'utf8')),
    repositoryRoot: options.repositoryRoot ?? process.cwd(),
    display: (p) => (p === absolute ? file : (options.display?.(p) ?? relative(process.cwd(), p))),
    parameters: options.parameters ?? {},
    variables: options.variables ?? {},
  }).document;
}

/**
 * Parses the text of a pipeline file: expansion, then the model. `file` is used in messages, and
 * templates are found relative to `options.path` (default: `file` from the current folder).
 * Throws {@link FileError}.
 */
export function parsePipeline(text: string, file: string, options: ParseOptions & { path?: string } = {}): Pipeline {
  if (!text.replace(/#.*$/gm, '').trim()) throw new FileError(file, 'the file is empty.');
  return readPipelineDocument(expandPipelineFile(options.path ?? file, file, text, options), file, options.hasProgram);
}
