import type { DownloadStep, Step, StepCommon } from './model';
import { at, NAME, Reader, type Mapping, type Node } from './parse-reader';

/**
 * Steps of the expanded document: task (PublishPipelineArtifact@1 and DownloadPipelineArtifact@2
 * as the publish and download built-ins), script, bash, pwsh, publish, download and checkout.
 */

/** What a step's condition may read besides variables: nothing. */
const STEP_ROOTS: string[] = [];
const COMMON_STEP_KEYS = [
  'name',
  'displayName',
  'condition',
  'continueOnError',
  'enabled',
  'env',
  'timeoutInMinutes',
  'target',
  'retryCountOnTaskFailure',
];
const UNSUPPORTED_STEPS: Record<string, string> = {
  downloadBuild: 'downloadBuild steps',
  getPackage: 'getPackage steps',
  reviewApp: 'reviewApp steps',
};

function readRetryCount(r: Reader, m: Mapping, path: string): number {
  const raw = r.optionalText(m, 'retryCountOnTaskFailure', path)?.trim();
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10)
    r.fail(`${path}.retryCountOnTaskFailure`, `must be a whole number from 0 to 10, not '${raw}'.`);
  return n;
}

function readStepCommon(r: Reader, m: Mapping, path: string, defaultName: string): StepCommon {
  const name = r.optionalText(m, 'name', path)?.trim();
  if (name !== undefined && !NAME.test(name))
    r.fail(`${path}.name`, `'${name}' is not a valid step name: use letters, digits and _, not starting with a digit.`);
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

/** One step. */
export function readStep(r: Reader, node: Node, path: string, resources: Set<string>): Step {
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
      for (const [key, value] of Object.entries(r.mapping(m['inputs'], `${path}.inputs`)))
        inputs[key] = r.text(value, `${path}.inputs.${key}`);
    }
    return { kind: 'task', reference, taskName: match[1], major: Number(match[2]), inputs, ...readStepCommon(r, m, path, reference) };
  }
  for (const key of ['script', 'bash', 'pwsh', 'powershell'] as const) {
    if (!(key in m)) continue;
    const powershell = key === 'pwsh' || key === 'powershell';
    r.onlyKeys(
      m,
      path,
      [
        key,
        'workingDirectory',
        'failOnStderr',
        ...(powershell ? ['errorActionPreference', 'ignoreLASTEXITCODE'] : []),
        ...COMMON_STEP_KEYS,
      ],
      `a ${key} step`,
    );
    if (powershell && !r.hasProgram('pwsh'))
      r.fail(at(path, key), 'needs PowerShell (pwsh), which is not installed on this machine (not on PATH).');
    if (powershell) {
      for (const option of ['errorActionPreference', 'ignoreLASTEXITCODE'])
        if (option in m)
          r.fail(
            at(path, option),
            'is not supported by outerloop run (it runs PowerShell with its defaults: stop on error, exit with $LASTEXITCODE).',
          );
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
    return {
      kind: 'publish',
      publishPath: r.text(m['publish'], `${path}.publish`),
      artifact: artifact.trim(),
      ...readStepCommon(r, m, path, `Publish artifact: ${artifact.trim()}`),
    };
  }
  if ('download' in m) {
    r.onlyKeys(m, path, ['download', 'artifact', 'patterns', 'path', ...COMMON_STEP_KEYS], 'a download step');
    const source = r.text(m['download'], `${path}.download`).trim();
    const artifact = r.optionalText(m, 'artifact', path)?.trim();
    if (source.toLowerCase() === 'none') {
      return { kind: 'download', source: 'none', ...readStepCommon(r, m, path, 'Download artifacts: none') };
    }
    checkDownloadSource(r, source, `${path}.download`, resources);
    const step: DownloadStep = {
      kind: 'download',
      source,
      artifact,
      patterns: r.optionalText(m, 'patterns', path),
      targetPath: r.optionalText(m, 'path', path),
      ...readStepCommon(r, m, path, `Download ${artifact ? `artifact ${artifact}` : 'artifacts'} (${source})`),
    };
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
    r.fail(
      path,
      `'${source}' is neither current nor the alias of a pipeline in resources.pipelines${resources.size > 0 ? ` (${[...resources].join(', ')})` : ''}.`,
    );
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
    for (const [key, value] of Object.entries(r.mapping(m['inputs'], `${path}.inputs`)))
      inputs.set(key.toLowerCase(), r.text(value, `${path}.inputs.${key}`));
  }
  const input = (...names: string[]): string | undefined =>
    names
      .map((n) => inputs.get(n.toLowerCase()))
      .find((v) => v !== undefined && v.trim() !== '')
      ?.trim();
  if (name === 'publishpipelineartifact@1') {
    const publishPath = input('targetPath', 'path') ?? '$(Pipeline.Workspace)';
    const artifact = input('artifact', 'artifactName') ?? 'drop';
    return { kind: 'publish', publishPath, artifact, ...readStepCommon(r, m, path, reference) };
  }
  const buildType = input('buildType', 'source') ?? 'current';
  let source = 'current';
  if (buildType.toLowerCase() !== 'current') {
    const alias = input('pipeline', 'definition');
    if (!alias)
      r.fail(`${path}.inputs`, `${reference} with buildType '${buildType}' needs a pipeline: the alias of one in resources.pipelines.`);
    checkDownloadSource(r, alias, `${path}.inputs.pipeline`, resources);
    source = alias;
  }
  return {
    kind: 'download',
    source,
    artifact: input('artifact', 'artifactName'),
    patterns: input('patterns', 'itemPattern'),
    targetPath: input('targetPath', 'path', 'downloadPath'),
    ...readStepCommon(r, m, path, reference),
  };
}

/** The `steps:` (or another key's list of steps) of `m`, with unique step names. */
export function readSteps(r: Reader, m: Mapping, path: string, resources: Set<string>, key = 'steps'): Step[] {
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
