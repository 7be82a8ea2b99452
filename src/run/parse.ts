import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import { FileError, OuterloopError } from '../common/errors';
import { ExpressionError } from './expression-parser';
import { compileCondition } from './expression-eval';
import type { Job, Pipeline, Stage, Step, StepCommon, VariableDefinition } from './model';
import { dependencyOrder } from './status';

/**
 * Reads an azure-pipelines.yml into the {@link Pipeline} model. Every scalar is read as text (the
 * YAML failsafe schema), as the service does, so `1.10` stays `1.10`. Everything `outerloop run`
 * cannot honour (templates, variable groups, matrices, deployment jobs, containers) is an error that
 * names the key, never silently dropped.
 */

type Node = unknown;
type Mapping = Record<string, Node>;

/** Keys that only matter to the service (triggers, agent pools): accepted and ignored locally. */
const IGNORED_TOP = ['trigger', 'pr', 'schedules', 'pool', 'appendCommitMessageToRunName', 'lockBehavior'];
const UNSUPPORTED_TOP: Record<string, string> = {
  resources: 'resources (other repositories, pipelines, containers)',
  extends: 'extends templates',
  parameters: 'runtime parameters',
  template: 'templates',
};
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `path.key`, or `key` at the top level. */
function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, detail: string): never {
    throw new FileError(this.file, path ? `${path}: ${detail}` : detail);
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

  condition(m: Mapping, path: string): string | undefined {
    const condition = this.optionalText(m, 'condition', path);
    if (condition === undefined) return undefined;
    try {
      compileCondition(condition);
    } catch (err) {
      if (err instanceof ExpressionError) this.fail(`${path}.condition`, `${err.message.replace(/\.$/, '')} in '${condition.trim()}'.`);
      throw err;
    }
    return condition;
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
function readVariables(r: Reader, owner: Mapping, path: string): VariableDefinition[] {
  if (!('variables' in owner) || owner['variables'] === '') return [];
  const node = owner['variables'];
  const where = at(path, 'variables');
  if (!Array.isArray(node)) {
    return Object.entries(r.mapping(node, where)).map(([name, value]) => ({ name, value: r.text(value, `${where}.${name}`), readonly: false }));
  }
  return node.map((item, i) => {
    const m = r.mapping(item, `${where}[${i}]`);
    if ('group' in m) r.fail(`${where}[${i}]`, `variable groups ('group: ${String(m['group'])}') are not supported by outerloop run; pass their values with --var or --secret.`);
    if ('template' in m) r.fail(`${where}[${i}]`, 'variable templates are not supported by outerloop run.');
    r.onlyKeys(m, `${where}[${i}]`, ['name', 'value', 'readonly'], 'a variable');
    const name = r.optionalText(m, 'name', `${where}[${i}]`);
    if (!name) r.fail(`${where}[${i}]`, 'a variable needs a name.');
    return { name: name.trim(), value: 'value' in m ? r.text(m['value'], `${where}[${i}].value`) : '', readonly: r.boolean(m, 'readonly', `${where}[${i}]`, false) };
  });
}

const COMMON_STEP_KEYS = ['name', 'displayName', 'condition', 'continueOnError', 'enabled', 'env', 'timeoutInMinutes', 'target'];
const UNSUPPORTED_STEPS: Record<string, string> = {
  pwsh: 'PowerShell steps (pwsh:)',
  powershell: 'PowerShell steps (powershell:)',
  template: 'step templates',
  download: 'download steps (artifacts of other runs)',
  downloadBuild: 'downloadBuild steps',
  getPackage: 'getPackage steps',
  reviewApp: 'reviewApp steps',
};

function readStepCommon(r: Reader, m: Mapping, path: string, defaultName: string): StepCommon {
  const name = r.optionalText(m, 'name', path)?.trim();
  if (name !== undefined && !NAME.test(name)) r.fail(`${path}.name`, `'${name}' is not a valid step name: use letters, digits and _, not starting with a digit.`);
  return {
    path,
    name,
    displayName: r.optionalText(m, 'displayName', path) ?? defaultName,
    condition: r.condition(m, path),
    continueOnError: r.boolean(m, 'continueOnError', path, false),
    enabled: r.boolean(m, 'enabled', path, true),
    env: r.stringMap(m, 'env', path),
    timeoutInMinutes: r.positiveNumber(m, 'timeoutInMinutes', path),
  };
}

function readStep(r: Reader, node: Node, path: string): Step {
  const m = r.mapping(node, path);
  for (const [key, what] of Object.entries(UNSUPPORTED_STEPS)) {
    if (key in m) r.fail(path, `${what} are not supported by outerloop run.`);
  }
  if ('task' in m) {
    r.onlyKeys(m, path, ['task', 'inputs', 'retryCountOnTaskFailure', ...COMMON_STEP_KEYS], 'a task step');
    if ('retryCountOnTaskFailure' in m) r.fail(`${path}.retryCountOnTaskFailure`, 'is not supported by outerloop run.');
    const reference = r.text(m['task'], `${path}.task`).trim();
    const match = /^([A-Za-z0-9_.-]+)@([0-9]+)$/.exec(reference);
    if (!match) r.fail(`${path}.task`, `'${reference}' must name a task and its major version, e.g. DockerBuildTag@1.`);
    const inputs: Record<string, string> = {};
    if ('inputs' in m && m['inputs'] !== '') {
      for (const [key, value] of Object.entries(r.mapping(m['inputs'], `${path}.inputs`))) inputs[key] = r.text(value, `${path}.inputs.${key}`);
    }
    return { kind: 'task', reference, taskName: match[1], major: Number(match[2]), inputs, ...readStepCommon(r, m, path, reference) };
  }
  for (const key of ['script', 'bash']) {
    if (!(key in m)) continue;
    r.onlyKeys(m, path, [key, 'workingDirectory', 'failOnStderr', ...COMMON_STEP_KEYS], `a ${key} step`);
    const script = r.text(m[key], at(path, key));
    const firstLine = script.trim().split('\n')[0] ?? '';
    return {
      kind: 'script',
      keyword: key === 'bash' ? 'bash' : 'script',
      script,
      workingDirectory: r.optionalText(m, 'workingDirectory', path),
      failOnStderr: r.boolean(m, 'failOnStderr', path, false),
      ...readStepCommon(r, m, path, `${key === 'bash' ? 'Bash' : 'CmdLine'}: ${firstLine.length > 60 ? `${firstLine.slice(0, 57)}...` : firstLine}`),
    };
  }
  if ('publish' in m) {
    r.onlyKeys(m, path, ['publish', 'artifact', ...COMMON_STEP_KEYS], 'a publish step');
    const artifact = r.optionalText(m, 'artifact', path);
    if (!artifact) r.fail(`${path}.artifact`, 'a publish step needs the artifact name.');
    return { kind: 'publish', publishPath: r.text(m['publish'], `${path}.publish`), artifact: artifact.trim(), ...readStepCommon(r, m, path, `Publish artifact: ${artifact.trim()}`) };
  }
  if ('checkout' in m) {
    const repository = r.text(m['checkout'], `${path}.checkout`).trim();
    const common = readStepCommon(r, { ...m, env: '' }, path, `Checkout ${repository}`);
    return { kind: 'checkout', repository, ...common };
  }
  r.fail(path, 'is not a step outerloop run knows: use task:, script:, bash:, publish: or checkout:.');
}

function readSteps(r: Reader, m: Mapping, path: string): Step[] {
  const where = at(path, 'steps');
  if (!('steps' in m)) r.fail(path, 'has no steps.');
  const steps = r.list(m['steps'], where).map((s, i) => readStep(r, s, `${where}[${i}]`));
  const seen = new Set<string>();
  for (const step of steps) {
    if (!step.name) continue;
    if (seen.has(step.name.toLowerCase())) r.fail(`${step.path}.name`, `step name '${step.name}' is used twice in one job.`);
    seen.add(step.name.toLowerCase());
  }
  return steps;
}

function readJob(r: Reader, node: Node, path: string): Job {
  const m = r.mapping(node, path);
  if ('deployment' in m) r.fail(path, 'deployment jobs are not supported by outerloop run; use a job.');
  if ('template' in m) r.fail(path, 'job templates are not supported by outerloop run.');
  if (!('job' in m)) r.fail(path, 'must start with job: <name>.');
  for (const key of ['strategy', 'container', 'services']) {
    if (key in m) r.fail(at(path, key), `is not supported by outerloop run (it runs each job once, on this machine).`);
  }
  r.onlyKeys(m, path, ['job', 'displayName', 'dependsOn', 'condition', 'continueOnError', 'variables', 'steps', 'pool', 'workspace', 'timeoutInMinutes', 'cancelTimeoutInMinutes'], 'a job');
  const name = r.text(m['job'], `${path}.job`).trim();
  if (!NAME.test(name)) r.fail(`${path}.job`, `'${name}' is not a valid job name: use letters, digits and _.`);
  return {
    path,
    name,
    displayName: r.optionalText(m, 'displayName', path) ?? name,
    dependsOn: r.names(m, 'dependsOn', path) ?? [],
    condition: r.condition(m, path),
    continueOnError: r.boolean(m, 'continueOnError', path, false),
    variables: readVariables(r, m, path),
    steps: readSteps(r, m, path),
    implicit: false,
  };
}

function readJobs(r: Reader, m: Mapping, path: string): Job[] {
  const where = at(path, 'jobs');
  const jobs = r.list(m['jobs'], where).map((j, i) => readJob(r, j, `${where}[${i}]`));
  checkDependencies(r, jobs, 'job');
  return jobs;
}

function implicitJob(r: Reader, m: Mapping, path: string): Job {
  return { path, name: 'Job', displayName: 'Job', dependsOn: [], continueOnError: false, variables: [], steps: readSteps(r, m, path), implicit: true };
}

function readStage(r: Reader, node: Node, path: string, previous: string | undefined): Stage {
  const m = r.mapping(node, path);
  if ('template' in m) r.fail(path, 'stage templates are not supported by outerloop run.');
  if (!('stage' in m)) r.fail(path, 'must start with stage: <name>.');
  r.onlyKeys(m, path, ['stage', 'displayName', 'dependsOn', 'condition', 'variables', 'jobs', 'pool', 'lockBehavior'], 'a stage');
  const name = r.text(m['stage'], `${path}.stage`).trim();
  if (!NAME.test(name)) r.fail(`${path}.stage`, `'${name}' is not a valid stage name: use letters, digits and _.`);
  if (!('jobs' in m)) r.fail(path, 'has no jobs.');
  return {
    path,
    name,
    displayName: r.optionalText(m, 'displayName', path) ?? name,
    dependsOn: r.names(m, 'dependsOn', path) ?? (previous ? [previous] : []),
    condition: r.condition(m, path),
    variables: readVariables(r, m, path),
    jobs: readJobs(r, m, path),
    implicit: false,
  };
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

/** Parses the text of a pipeline file; `file` is used in messages. Throws {@link FileError}. */
export function parsePipeline(text: string, file: string): Pipeline {
  const r = new Reader(file);
  if (/\$\{\{/.test(text)) {
    const line = text.split('\n').findIndex((l) => l.includes('${{')) + 1;
    throw new FileError(`${file}:${line}`, 'template expressions (${{ }}) are not supported by outerloop run.');
  }
  if (!text.replace(/#.*$/gm, '').trim()) r.fail('', 'the file is empty.');
  let doc: Node;
  try {
    doc = load(text, { filename: file, schema: FAILSAFE_SCHEMA });
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
    const location = e.mark ? `${file}:${e.mark.line + 1}:${e.mark.column + 1}` : file;
    throw new FileError(location, `not valid YAML (${e.reason ?? e.message}).`);
  }
  const top = r.mapping(doc, '');
  for (const [key, what] of Object.entries(UNSUPPORTED_TOP)) {
    if (key in top) r.fail(key, `${what} are not supported by outerloop run.`);
  }
  const shapes = ['stages', 'jobs', 'steps'].filter((k) => k in top);
  if (shapes.length !== 1) r.fail('', shapes.length === 0 ? 'a pipeline needs stages:, jobs: or steps:.' : `use only one of ${shapes.join(' and ')} at the top level.`);
  r.onlyKeys(top, '', ['name', 'variables', shapes[0], ...IGNORED_TOP], 'a pipeline');
  let stages: Stage[];
  if ('stages' in top) {
    const list = r.list(top['stages'], 'stages');
    let previous: string | undefined;
    stages = list.map((s, i) => {
      const stage = readStage(r, s, `stages[${i}]`, previous);
      previous = stage.name;
      return stage;
    });
    checkDependencies(r, stages, 'stage');
  } else {
    const jobs = 'jobs' in top ? readJobs(r, top, '') : [implicitJob(r, top, '')];
    stages = [{ path: '', name: '__default', displayName: '', dependsOn: [], variables: [], jobs, implicit: true }];
  }
  return { file, buildNumberFormat: r.optionalText(top, 'name', ''), variables: readVariables(r, top, ''), stages };
}
