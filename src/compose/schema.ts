import type { ErrorObject } from 'ajv';
import { FileError } from '../common/errors';
import { formatPath, isMapping, type KeyPath } from './paths';
import validate from './schema/compose-spec-validator';
import { stripTags } from './merge';
import { ComposeTag, type SourceMap } from './yaml';

/**
 * Validation against the Compose Specification's JSON schema (vendored in ./schema, see its
 * NOTICE), compiled ahead of time into ./schema/compose-spec-validator.js by
 * src/compose/schema/compile-validator.mjs (compiling it at run time cost more than validating). Keys the
 * schema does not know are reported as warnings and removed (errors in strict mode); any other
 * violation is an error at file:line:column with the key path.
 */

function unwrap(node: unknown): unknown {
  return node instanceof ComposeTag ? node.value : node;
}

/** The key path of an ajv instancePath, list indexes as numbers. */
function toPath(instancePath: string, data: unknown): Array<string | number> {
  if (instancePath === '') return [];
  const out: Array<string | number> = [];
  let node = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) && /^\d+$/.test(part) ? Number(part) : part;
    out.push(key);
    node = unwrap((node as Record<string | number, unknown> | undefined)?.[key]);
  }
  return out;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let node = unwrap(data);
  for (const part of path) node = unwrap((node as Record<string | number, unknown> | undefined)?.[part]);
  return node;
}

/** Orders `file:line:column: …` messages by line, then column. */
function byPosition(a: string, b: string): number {
  const pos = (t: string): number[] => (/:(\d+):(\d+): /.exec(t) ?? [0, 0, 0]).slice(1).map(Number);
  const [x, y] = [pos(a), pos(b)];
  return x[0] - y[0] || x[1] - y[1];
}

/** Sections whose keys are resource names: an unknown key there is an invalid name, not an unknown key. */
const NAMED_SECTIONS = new Set(['services', 'networks', 'volumes', 'secrets', 'configs', 'models']);

/** Validates one interpolated compose document in place; returns the unknown-key warnings. */
export function validateComposeDocument(data: unknown, sources: SourceMap): string[] {
  const warnings: string[] = [];
  // Validate the document as it reads without its !reset and !override tags; unknown keys are
  // removed from both the view and the document.
  const view = stripTags(data);
  for (let round = 0; round < 8; round++) {
    if (validate(view)) return warnings.sort(byPosition);
    const errors = validate.errors ?? [];
    const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
    let removed = 0;
    for (const error of unknown) {
      const parent = toPath(error.instancePath, view);
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const owner = valueAt(view, parent);
      const original = valueAt(data, parent);
      if (!isMapping(owner) || !Object.prototype.hasOwnProperty.call(owner, key)) continue;
      const path = [...parent, key];
      const where = sources.locate(path) ?? sources.file;
      if (parent.length === 1 && NAMED_SECTIONS.has(String(parent[0]))) {
        throw new FileError(where, `${formatPath(path)}: '${key}' is not a valid name (letters, digits, '.', '_' and '-' only).`);
      }
      warnings.push(`${where}: ${formatPath(path)} is not a Compose key: ignored.`);
      delete owner[key];
      if (isMapping(original)) delete original[key];
      removed++;
    }
    if (removed === 0) throw describeSchemaError(errors, sources, view);
  }
  throw describeSchemaError(validate.errors ?? [], sources, view);
}

function describeSchemaError(errors: ErrorObject[], sources: SourceMap, data: unknown): FileError {
  const meaningful = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword));
  const pool = meaningful.length > 0 ? meaningful : errors;
  const depth = (e: ErrorObject): number => toPath(e.instancePath, data).length + (e.keyword === 'required' ? 1 : 0);
  const deepest = Math.max(...pool.map(depth));
  const atDeepest = pool.filter((e) => depth(e) === deepest);
  const error = atDeepest.find((e) => e.keyword !== 'type') ?? atDeepest[0];
  if (!error) return new FileError(sources.file, 'does not follow the Compose Specification.');
  const path = toPath(error.instancePath, data);
  const where = sources.locate(path) ?? sources.file;
  const at = path.length ? formatPath(path) : 'the file';
  const types = [...new Set(atDeepest.filter((e) => e.keyword === 'type').map((e) => String((e.params as { type: string }).type)))];
  let detail: string;
  switch (error.keyword) {
    case 'type':
      detail = `must be ${types.join(' or ').replace(/,/g, ' or ')}`;
      break;
    case 'required':
      detail = `needs the key '${(error.params as { missingProperty: string }).missingProperty}'`;
      break;
    case 'enum':
      detail = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'pattern':
      detail = `does not match the pattern ${(error.params as { pattern: string }).pattern}`;
      break;
    default:
      detail = error.message ?? 'is not valid';
  }
  return new FileError(where, `${at} ${detail} (Compose Specification).`);
}
