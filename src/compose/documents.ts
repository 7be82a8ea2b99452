import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { FileError } from '../common/errors';
import { readTextFileSync } from '../common/fs';
import { MAX_SERVICES } from '../common/limits';
import { parseDotenv } from './dotenv';
import { describeUnset, interpolateTree, type VariableLookup } from './interpolate';
import { mergeValues } from './merge';
import { formatPath, isMapping, setKey, type KeyPath } from './paths';
import { rebaseDocument } from './rebase';
import { validateComposeDocument } from './schema';
import { parseYamlDocuments, type SourceMap } from './yaml';

/**
 * Reading compose files into one merged raw document: parse (with positions), interpolate,
 * validate against the schema, make paths absolute, resolve `include` and `extends`, then merge the
 * files in order. What comes out is still the written shape; normalize.ts makes the model.
 */

/** Shared state of one load: variables, warnings, every file's source map. */
export interface LoadState {
  lookup: VariableLookup;
  warnings: string[];
  sources: SourceMap[];
  /** Files being included (cycle detection). */
  including: string[];
  /** Which env files shaped `lookup` (the root's variables, then each include's env_file): part of every memo key. */
  scope: string;
  /** Work done once per load and reused: a file included or extended many times is read and resolved once. */
  memo: LoadMemo;
}

/** The load's memo tables, shared by every state derived from the root one. */
export interface LoadMemo {
  parsed: Map<string, ParsedFile>;
  included: Map<string, Record<string, unknown>>;
  extended: Map<string, Record<string, unknown>>;
}

/** Empty memo tables for a new load. */
export function newLoadMemo(): LoadMemo {
  return { parsed: new Map(), included: new Map(), extended: new Map() };
}

/** Finds the location of a key path in the given source maps (the last file that wrote it wins). */
export function locateIn(sources: SourceMap[], path: KeyPath): string | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    for (let i = sources.length - 1; i >= 0; i--) {
      const hit = sources[i].locateExact(prefix);
      if (hit) return hit;
    }
  }
  return undefined;
}

interface ParsedFile {
  docs: Array<Record<string, unknown>>;
}

/** The error for a project with more services than {@link MAX_SERVICES}. */
export function tooManyServices(where: string, count: number): FileError {
  return new FileError(
    where,
    `the project has ${count} services, more than the ${MAX_SERVICES} outerloop converts: split it into several projects.`,
  );
}

/** Parses, interpolates, validates and rebases one file (memoized per load and variable scope: extends and includes may read it often). */
function parseComposeFile(path: string, baseDir: string, state: LoadState): ParsedFile {
  const cache = state.memo.parsed;
  const key = `${state.scope}\0${path}\0${baseDir}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const text = readTextFileSync(path, 'compose file');
  const docs: Array<Record<string, unknown>> = [];
  for (const doc of parseYamlDocuments(text, path)) {
    state.sources.push(doc.sources);
    if (doc.value === null) continue;
    if (!isMapping(doc.value)) throw new FileError(doc.sources.position(0), 'a compose file must be a mapping (services:, volumes:, …).');
    // Refused before interpolation and validation, the costly part for a huge file.
    if (isMapping(doc.value['services']) && Object.keys(doc.value['services']).length > MAX_SERVICES)
      throw tooManyServices(path, Object.keys(doc.value['services']).length);
    const legacy =
      doc.value['services'] === undefined &&
      Object.entries(doc.value).find(([k, v]) => !k.startsWith('x-') && isMapping(v) && ('image' in v || 'build' in v));
    if (legacy) {
      throw new FileError(
        doc.sources.locate([legacy[0]]) ?? path,
        `${legacy[0]} is a service at the top level (Compose file format 1), which the Compose Specification no longer reads: put the services under services:.`,
      );
    }
    const interpolated = interpolateTree(
      doc.value,
      state.lookup,
      (at, err) => new FileError(doc.sources.locate(at) ?? path, `${formatPath(at)}: ${err.message}`),
    );
    for (const { name, path: at } of interpolated.unset)
      state.warnings.push(`${doc.sources.locate(at) ?? path}: ${describeUnset(name, at)}`);
    state.warnings.push(...validateComposeDocument(interpolated.value, doc.sources));
    docs.push(rebaseDocument(interpolated.value as Record<string, unknown>, baseDir));
  }
  const parsed = { docs };
  cache.set(key, parsed);
  return parsed;
}

/** Resolves `extends` for every service of a document (recursively, across files). */
function resolveExtends(doc: Record<string, unknown>, file: string, state: LoadState): Record<string, unknown> {
  if (!isMapping(doc['services'])) return doc;
  const services = doc['services'];
  const resolved: Record<string, unknown> = {};
  const local = new Map<string, Record<string, unknown>>();
  const resolveOne = (name: string, owner: Record<string, unknown>, ownerFile: string, chain: string[]): Record<string, unknown> => {
    const service = owner[name];
    if (!isMapping(service)) return {};
    const ext = service['extends'];
    if (ext === undefined) return service;
    // A resolved service is reused: a chain of n extends is resolved in n merges, not n².
    // (This document's services are memoized here; another file's, whose services are read whole, for the load.)
    const memo = owner === services ? local : state.memo.extended;
    const memoKey = `${state.scope}\0${ownerFile}#${name}`;
    const known = memo.get(memoKey);
    if (known) return known;
    const spec = typeof ext === 'string' ? { service: ext } : isMapping(ext) ? ext : {};
    const baseName = String(spec['service'] ?? '');
    const baseFile = typeof spec['file'] === 'string' ? spec['file'] : ownerFile;
    const link = `${baseFile}#${baseName}`;
    if (chain.includes(link)) {
      const cycle = [...chain, link].map((l) => l.split('#')[1]).join(' → ');
      throw new FileError(
        locateIn(state.sources, ['services', name, 'extends']) ?? ownerFile,
        `services.${name}.extends forms a cycle: ${cycle}.`,
      );
    }
    let baseOwner = owner;
    if (baseFile !== ownerFile) {
      const parsed = parseComposeFile(baseFile, dirname(baseFile), state);
      baseOwner = {};
      for (const d of parsed.docs) if (isMapping(d['services'])) Object.assign(baseOwner, d['services']);
    }
    if (!isMapping(baseOwner[baseName])) {
      throw new FileError(
        locateIn(state.sources, ['services', name, 'extends']) ?? ownerFile,
        `services.${name}.extends names the service '${baseName}', which ${baseFile === ownerFile ? 'this file' : basename(baseFile)} does not define.`,
      );
    }
    const base = resolveOne(baseName, baseOwner, baseFile, [...chain, link]);
    const own = { ...service };
    delete own['extends'];
    const merged = mergeValues(base, own, ['services', name]) as Record<string, unknown>;
    memo.set(memoKey, merged);
    return merged;
  };
  for (const name of Object.keys(services)) {
    const value = isMapping(services[name]) ? resolveOne(name, services, file, [`${file}#${name}`]) : services[name];
    setKey(resolved, name, value);
  }
  return { ...doc, services: resolved };
}

const RESOURCE_SECTIONS = ['services', 'volumes', 'networks', 'secrets', 'configs'];

/** Loads `include` entries of a document and adds their resources (a name defined twice is an error). */
function applyIncludes(doc: Record<string, unknown>, file: string, state: LoadState): Record<string, unknown> {
  const include = doc['include'];
  if (!Array.isArray(include)) return doc;
  const out: Record<string, unknown> = { ...doc };
  delete out['include'];
  include.forEach((entry, i) => {
    const spec = typeof entry === 'string' ? { path: entry } : isMapping(entry) ? entry : {};
    const paths = ([] as unknown[]).concat(spec['path']).map((p) => resolve(dirname(file), String(p)));
    const projectDir =
      typeof spec['project_directory'] === 'string' ? resolve(dirname(file), spec['project_directory']) : dirname(paths[0]);
    for (const p of paths) {
      if (state.including.includes(p))
        throw new FileError(locateIn(state.sources, ['include', i]) ?? file, `include[${i}] includes ${p} again: an include cycle.`);
    }
    let lookup = state.lookup;
    let scope = state.scope;
    const envFiles =
      spec['env_file'] === undefined
        ? [resolve(projectDir, '.env')]
        : ([] as unknown[]).concat(spec['env_file']).map((p) => resolve(dirname(file), String(p)));
    for (const envFile of envFiles) {
      if (spec['env_file'] === undefined && !existsSync(envFile)) continue;
      let text: string;
      try {
        text = readTextFileSync(envFile, 'env file');
      } catch (err) {
        if (!existsSync(envFile))
          throw new FileError(
            locateIn(state.sources, ['include', i, 'env_file']) ?? file,
            `include[${i}].env_file ${envFile} cannot be read.`,
          );
        throw err;
      }
      const parent = lookup;
      const values = parseDotenv(text, envFile, { lookup: parent }).values;
      lookup = (name) => parent(name) ?? (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined);
      scope += `\0${envFile}`;
    }
    // An include listed many times (or by many files) is loaded once: 20 files that each include
    // the next twice would otherwise load the last one a million times.
    const includeKey = `${scope}\0${projectDir}\0${paths.join('\0')}`;
    let included = state.memo.included.get(includeKey);
    if (!included) {
      included = loadMergedDocument(paths, projectDir, { ...state, lookup, scope, including: [...state.including, ...paths] });
      state.memo.included.set(includeKey, included);
    }
    for (const section of RESOURCE_SECTIONS) {
      const theirs = included[section];
      if (!isMapping(theirs)) continue;
      const ours = isMapping(out[section]) ? { ...(out[section] as Record<string, unknown>) } : {};
      for (const [name, value] of Object.entries(theirs)) {
        if (Object.prototype.hasOwnProperty.call(ours, name)) {
          throw new FileError(
            locateIn(state.sources, [section, name]) ?? file,
            `${section}.${name} is also defined by the included ${basename(paths[0])}: an included resource cannot be redefined.`,
          );
        }
        setKey(ours, name, value);
      }
      out[section] = ours;
    }
  });
  return out;
}

/** Loads and merges compose files in order; `baseDir` resolves their relative paths. */
export function loadMergedDocument(files: string[], baseDir: string, state: LoadState): Record<string, unknown> {
  let merged: unknown = undefined;
  for (const file of files) {
    const path = isAbsolute(file) ? file : resolve(baseDir, file);
    const parsed = parseComposeFile(path, baseDir, state);
    for (const doc of parsed.docs) {
      const expanded = resolveExtends(applyIncludes(doc, path, { ...state, including: [...state.including, path] }), path, state);
      merged = mergeValues(merged, expanded);
    }
  }
  return isMapping(merged) ? merged : {};
}
