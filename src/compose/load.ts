import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { FileError, InputError } from '../common/errors';
import { parseDotenv } from './dotenv';
import { readTextFileSync } from '../common/fs';
import { MAX_SERVICES } from '../common/limits';
import { loadMergedDocument, locateIn, newLoadMemo, tooManyServices, type LoadState } from './documents';
import type { VariableLookup } from './interpolate';
import { checkDependencyCycles } from './graph';
import type { ComposeProject, ComposeService } from './model';
import { normalizeDocument } from './normalize';
import { formatPath, type KeyPath } from './paths';
import { PROJECT_NAME, projectNameFromFolder } from './project-name';
import type { ComposeSource } from './source';

/**
 * The compose loader: files → one normalized ComposeProject. Variables come only from
 * `environment` and the env files (the project's `.env`, or `envFiles`) of the {@link ComposeSource}; this module never reads
 * the machine's environment.
 */

/** The loader's answer. */
export interface LoadResult {
  project: ComposeProject;
  /** The compose files read, absolute, in merge order (the first one's folder is the project's). */
  files: string[];
  warnings: string[];
  /** `file:line:column` where a key path of the merged project was written (undefined when unknown). */
  locate(path: KeyPath): string | undefined;
  /** The variables interpolation used (.env overlaid by the given environment). */
  variables: Record<string, string>;
}

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDE_FILES: Record<string, string[]> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
};

function defaultFiles(dir: string): string[] {
  const main = DEFAULT_FILES.find((f) => existsSync(resolve(dir, f)));
  if (!main) throw new InputError('--file', `is needed: no ${DEFAULT_FILES.join(', ')} in ${dir}.`);
  const override = OVERRIDE_FILES[main].find((f) => existsSync(resolve(dir, f)));
  return override ? [resolve(dir, main), resolve(dir, override)] : [resolve(dir, main)];
}

function chooseProjectName(
  source: ComposeSource,
  variables: Record<string, string>,
  written: unknown,
  projectDir: string,
  locate: (p: KeyPath) => string | undefined,
): string {
  const explicit =
    source.projectName ?? variables['COMPOSE_PROJECT_NAME'] ?? (typeof written === 'string' && written !== '' ? written : undefined);
  if (explicit !== undefined) {
    if (!PROJECT_NAME.test(explicit)) {
      const rule = "lower-case letters, digits, '-' and '_', starting with a letter or digit";
      if (source.projectName === undefined && variables['COMPOSE_PROJECT_NAME'] === undefined) {
        throw new FileError(locate(['name']) ?? projectDir, `name: '${explicit}' is not a valid project name: ${rule}.`);
      }
      throw new InputError(
        source.projectName !== undefined ? 'projectName' : 'COMPOSE_PROJECT_NAME',
        `'${explicit}' is not a valid project name: ${rule}.`,
      );
    }
    return explicit;
  }
  const name = projectNameFromFolder(basename(projectDir));
  if (!PROJECT_NAME.test(name))
    throw new InputError('projectName', `is needed: the folder name '${basename(projectDir)}' does not make a valid project name.`);
  return name;
}

function readVariables(source: ComposeSource, projectDir: string, warnings: string[]): Record<string, string> {
  const given = source.environment;
  const files = source.envFiles?.map((f) => (isAbsolute(f) ? f : resolve(source.workingDir, f)));
  const variables: Record<string, string> = {};
  const lookup: VariableLookup = (name) =>
    Object.prototype.hasOwnProperty.call(given, name)
      ? given[name]
      : Object.prototype.hasOwnProperty.call(variables, name)
        ? variables[name]
        : undefined;
  for (const file of files ?? [resolve(projectDir, '.env')]) {
    if (!files && !existsSync(file)) continue;
    const parsed = parseDotenv(readTextFileSync(file, 'env file'), file, { lookup });
    for (const name of parsed.unset) warnings.push(`${file}: the variable ${name} is not set: it became an empty string.`);
    Object.assign(variables, parsed.values);
  }
  return { ...variables, ...given };
}

/** The profiles a load enables: the source's, else those of COMPOSE_PROFILES among the load's variables. */
export function activeProfiles(source: ComposeSource, variables: Readonly<Record<string, string>>): string[] {
  if (source.profiles && source.profiles.length > 0) return [...source.profiles];
  return (variables['COMPOSE_PROFILES'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Whether the profiles enable a service: it has none, or one of them is enabled, or all are (`*`). */
export function isServiceEnabled(service: ComposeService, profiles: readonly string[]): boolean {
  return service.profiles.length === 0 || profiles.includes('*') || service.profiles.some((p) => profiles.includes(p));
}

function applyProfiles(services: ComposeService[], profiles: string[], locate: (p: KeyPath) => string | undefined): ComposeService[] {
  const on = new Set(services.filter((s) => isServiceEnabled(s, profiles)).map((s) => s.name));
  const out: ComposeService[] = [];
  for (const service of services) {
    if (!on.has(service.name)) continue;
    for (const [dep, d] of Object.entries(service.dependsOn)) {
      // An optional dependency on a disabled service stays, as Compose keeps it (nothing waits for it).
      if (on.has(dep) || !d.required) continue;
      const path = ['services', service.name, 'depends_on', dep];
      const needed = services.find((s) => s.name === dep)?.profiles ?? [];
      throw new FileError(
        locate(path) ?? service.name,
        `${formatPath(path)}: the service '${dep}' is disabled by its profiles (${needed.join(', ')}): activate one with --profile.`,
      );
    }
    out.push(service);
  }
  return out;
}

/**
 * An empty project converts to nothing, and deploying nothing would prune the whole running app:
 * like `docker compose config`, refuse a project without services, or whose profiles leave none.
 */
function refuseEmptyProject(all: ComposeService[], active: ComposeService[], profiles: string[], files: string[]): void {
  if (active.length > 0) return;
  const where = files.join(', ');
  if (all.length === 0) throw new FileError(where, 'the project defines no services: there is nothing to run, convert or deploy.');
  const declared = [...new Set(all.flatMap((s) => s.profiles))].sort();
  const selection = profiles.length > 0 ? `the active profiles (${profiles.join(', ')}) enable none of them` : 'no profile is active';
  throw new FileError(
    where,
    `every service is behind a profile and ${selection}: activate one of ${declared.join(', ')} (--profile, the profiles input or COMPOSE_PROFILES).`,
  );
}

/** Loads, merges, interpolates, validates and normalizes a compose project. Throws FileError / InputError. */
export function loadComposeProject(source: ComposeSource): LoadResult {
  const files =
    source.files.length > 0
      ? source.files.map((f) => (isAbsolute(f) ? f : resolve(source.workingDir, f)))
      : defaultFiles(source.workingDir);
  const projectDir = dirname(files[0]);
  const warnings: string[] = [];
  const variables = readVariables(source, projectDir, warnings);
  const lookup: VariableLookup = (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined);
  const state: LoadState = { lookup, warnings, sources: [], including: [], scope: '', memo: newLoadMemo() };
  const merged = loadMergedDocument(files, projectDir, state);
  const serviceCount = merged['services'] !== null && typeof merged['services'] === 'object' ? Object.keys(merged['services']).length : 0;
  if (serviceCount > MAX_SERVICES) throw tooManyServices(files.join(', '), serviceCount);
  const locate = (path: KeyPath): string | undefined => locateIn(state.sources, path);
  // What env files, secrets and configs hold ends up in manifests and their artifacts: a file from
  // outside the project folder (a home folder's credentials) deserves a word.
  const warnOutside = (file: string, path: KeyPath): void => {
    const rel = relative(projectDir, file);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      warnings.push(
        `${locate(path) ?? files[0]}: ${formatPath(path)} reads ${file}, outside the project folder: its contents would be published with the manifests.`,
      );
    }
  };
  const normalized = normalizeDocument(merged, {
    lookup,
    locate: (path) => locate(path) ?? files[0],
    warn: (message) => warnings.push(message),
    readEnvFile: (entry, path) => {
      warnOutside(entry.path, path);
      if (!existsSync(entry.path)) {
        if (entry.required)
          throw new FileError(locate(path) ?? files[0], `${formatPath(path)}: the env file ${entry.path} does not exist.`);
        return undefined;
      }
      const parsed = parseDotenv(readTextFileSync(entry.path, 'env file'), entry.path, {
        lookup,
        format: entry.format === 'raw' ? 'raw' : 'env',
      });
      for (const name of parsed.unset) warnings.push(`${entry.path}: the variable ${name} is not set: it became an empty string.`);
      return parsed.values;
    },
  });
  for (const section of ['secrets', 'configs'] as const) {
    for (const [key, object] of Object.entries(normalized[section]))
      if (object.file !== undefined) warnOutside(object.file, [section, key, 'file']);
  }
  const name = chooseProjectName(source, variables, merged['name'], projectDir, locate);
  const profiles = activeProfiles(source, variables);
  const services = applyProfiles(normalized.services, profiles, locate);
  refuseEmptyProject(normalized.services, services, profiles, files);
  checkDependencyCycles(services, locate, files[0]);
  const project: ComposeProject = { name, workingDir: projectDir, ...normalized, services };
  return { project, files, warnings: [...new Set(warnings)], locate, variables };
}
