import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { FileError } from '../common/errors';
import type { Pipeline, Stage } from './model';
import { implicitJob, readJobs } from './parse-jobs';
import { checkDependencies, NAME, readVariables, Reader, type Mapping, type Node } from './parse-reader';
import type { YamlValue } from './pipeline-yaml';
import { expandPipeline, locateInDocument, type ExpandOptions } from './template-expand';

/**
 * Reads an azure-pipelines.yml into the {@link Pipeline} model, after compile-time expansion
 * (templates, parameters, `${{ }}`: see template-expand.ts). Every scalar is text, as the service
 * reads it, so `1.10` stays `1.10`. Everything `outerloop run` cannot honour (variable groups,
 * container jobs, other repositories) is an error that names the key and the file and line it was
 * written at, never silently dropped. Jobs are read by parse-jobs.ts, steps by parse-steps.ts.
 */

/** Keys that only matter to the service (triggers, agent pools): accepted and ignored locally. */
const IGNORED_TOP = ['trigger', 'pr', 'schedules', 'pool', 'appendCommitMessageToRunName', 'lockBehavior'];
/** What a stage's condition and `$[ ]` variables may read besides variables. */
const STAGE_ROOTS = ['dependencies', 'stagedependencies'];

function readStage(r: Reader, node: Node, path: string, previous: string | undefined, resources: Set<string>): Stage {
  const m = r.mapping(node, path);
  if (!('stage' in m)) r.fail(path, 'must start with stage: <name>.');
  r.onlyKeys(
    m,
    path,
    [
      'stage',
      'displayName',
      'dependsOn',
      'condition',
      'variables',
      'jobs',
      'pool',
      'lockBehavior',
      'trigger',
      'isSkippable',
      'templateContext',
    ],
    'a stage',
  );
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
    if (key !== 'pipelines' && key !== 'repositories')
      r.fail(`resources.${key}`, `${key} resources are not supported by outerloop run (it knows pipelines, and the repository self).`);
  }
  if ('repositories' in resources && resources['repositories'] !== '') {
    r.list(resources['repositories'], 'resources.repositories').forEach((item, i) => {
      const repo = r.mapping(item, `resources.repositories[${i}]`);
      const alias = r.optionalText(repo, 'repository', `resources.repositories[${i}]`)?.trim() ?? '';
      if (alias.toLowerCase() !== 'self')
        r.fail(`resources.repositories[${i}]`, `the repository '${alias}' is another repository; outerloop run works in this one only.`);
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

/** Reads an expanded pipeline document (see {@link expandPipeline}); `file` is used in messages. Throws {@link FileError}. */
export function readPipelineDocument(doc: YamlValue | undefined, file: string, hasProgram: (name: string) => boolean = isOnPath): Pipeline {
  const r = new Reader(file, (path) => (doc === undefined ? undefined : locateInDocument(doc, path)), hasProgram);
  if (doc === undefined || doc === '') r.fail('', 'the file is empty.');
  const top = r.mapping(doc, '');
  const shapes = ['stages', 'jobs', 'steps'].filter((k) => k in top);
  if (shapes.length !== 1)
    r.fail(
      '',
      shapes.length === 0
        ? 'a pipeline needs stages:, jobs: or steps: (or extends: a template that has them).'
        : `use only one of ${shapes.join(' and ')} at the top level.`,
    );
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
