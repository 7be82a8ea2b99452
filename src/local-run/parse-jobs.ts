import { LIFECYCLE_HOOKS, type Job, type JobLeg, type JobPhase, type Step } from './model';
import { at, checkDependencies, NAME, readVariables, Reader, type Mapping, type Node } from './parse-reader';
import { readSteps } from './parse-steps';

/**
 * Jobs of the expanded document: `job:` with its matrix or parallel legs, and `deployment:` with
 * its environment and the hooks of its runOnce (or rolling and canary, run as runOnce) strategy.
 */

/** What a job's condition and `$[ ]` variables may read besides variables. */
const JOB_ROOTS = ['dependencies', 'stagedependencies'];
const JOB_KEYS = [
  'displayName',
  'dependsOn',
  'condition',
  'continueOnError',
  'variables',
  'pool',
  'workspace',
  'timeoutInMinutes',
  'cancelTimeoutInMinutes',
  'strategy',
  'uses',
  'templateContext',
];

/** `strategy: matrix:` / `parallel:`: the legs, run one after another, named as the service names them. */
function readLegs(r: Reader, m: Mapping, path: string, displayName: string, read: (legPath: string) => JobPhase[]): JobLeg[] {
  if (!('strategy' in m) || m['strategy'] === '') return [{ displayName, variables: [], phases: read(path) }];
  const where = at(path, 'strategy');
  const strategy = r.mapping(m['strategy'], where);
  r.onlyKeys(strategy, where, ['matrix', 'parallel', 'maxParallel'], 'a job strategy');
  if ('matrix' in strategy) {
    const matrixPath = `${where}.matrix`;
    if (typeof strategy['matrix'] === 'string')
      r.fail(
        matrixPath,
        'a matrix computed at run time ($[ ]) is not supported by outerloop run; write the legs, or build them with ${{ each }}.',
      );
    const legs = Object.entries(r.mapping(strategy['matrix'], matrixPath));
    if (legs.length === 0) r.fail(matrixPath, 'has no legs.');
    return legs.map(([leg, vars]) => {
      if (!NAME.test(leg)) r.fail(`${matrixPath}.${leg}`, `'${leg}' is not a valid matrix leg name: use letters, digits and _.`);
      const variables = Object.entries(r.mapping(vars, `${matrixPath}.${leg}`)).map(([name, value]) => ({
        name,
        value: r.text(value, `${matrixPath}.${leg}.${name}`),
        readonly: false,
      }));
      return { name: leg, displayName: `${displayName} ${leg}`, variables, phases: read(path) };
    });
  }
  if ('parallel' in strategy) {
    const raw = r.text(strategy['parallel'], `${where}.parallel`).trim();
    const count = Number(raw);
    if (!Number.isInteger(count) || count < 1 || count > 99)
      r.fail(`${where}.parallel`, `must be a number of jobs from 1 to 99, not '${raw}'.`);
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
  if (names.length !== 1 || !['runOnce', 'rolling', 'canary'].includes(names[0]))
    r.fail(where, 'must hold one of runOnce, rolling or canary.');
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
      steps.unshift({
        kind: 'download',
        source: 'current',
        path: `${hookPath}.steps`,
        displayName: 'Download artifacts (current)',
        continueOnError: false,
        enabled: true,
        env: {},
        retryCount: 0,
      });
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
    if (key in m)
      r.fail(at(path, key), `is not supported by outerloop run (container jobs and service containers; it runs each job on this machine).`);
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

/** The `jobs:` of `m`, their names and dependencies checked. */
export function readJobs(r: Reader, m: Mapping, path: string, resources: Set<string>): Job[] {
  const where = at(path, 'jobs');
  const jobs = r.list(m['jobs'], where).map((j, i) => readJob(r, j, `${where}[${i}]`, resources));
  checkDependencies(r, jobs, 'job');
  return jobs;
}

/** The one job a `steps:`-only file gets. */
export function implicitJob(r: Reader, m: Mapping, path: string, resources: Set<string>): Job {
  return {
    path,
    kind: 'job',
    name: 'Job',
    displayName: 'Job',
    dependsOn: [],
    continueOnError: false,
    variables: [],
    implicit: true,
    legs: [{ displayName: 'Job', variables: [], phases: [{ when: 'success', steps: readSteps(r, m, path, resources) }] }],
  };
}
