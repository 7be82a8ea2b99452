import { FileError } from '../common/errors';
import { parseYamlTree } from '../compose/yaml';

/**
 * Pipeline YAML as the service reads it: every scalar is text (the failsafe schema, so `1.10` stays
 * `1.10`), and every mapping and sequence remembers the file and line it was written at, so that an
 * error found after templates were expanded still names the template file and line.
 */

/** A YAML value of a pipeline file: text, a sequence or a mapping. */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

/** Where a mapping or sequence was written; `keys` and `items` hold the lines of its entries. */
export interface SourceLocation {
  file: string;
  line: number;
  keys: Map<string, number>;
  items: number[];
}

const locations = new WeakMap<object, SourceLocation>();

/** Where `value` was written, when it is a mapping or sequence read from a file. */
export function locationOf(value: unknown): SourceLocation | undefined {
  return value !== null && typeof value === 'object' ? locations.get(value) : undefined;
}

/** Gives `copy` the location of `original` (expansion makes new objects from template bodies). */
export function copyLocation(original: unknown, copy: object, line?: number): void {
  const at = locationOf(original);
  if (at) locations.set(copy, { file: at.file, line: line ?? at.line, keys: new Map(), items: [] });
}

/** Records that `key` of `target` (or item `index`) came from `line`. */
export function recordEntryLine(target: object, entry: string | number, line: number | undefined): void {
  const at = locations.get(target);
  if (!at || line === undefined) return;
  if (typeof entry === 'number') at.items[entry] = line;
  else at.keys.set(entry, line);
}

/** `file:line` of an entry of `container` (a key or an index), else of the container itself. */
export function describeEntry(container: unknown, entry?: string | number): string | undefined {
  const at = locationOf(container);
  if (!at) return undefined;
  const line = entry === undefined ? undefined : typeof entry === 'number' ? at.items[entry] : at.keys.get(entry);
  return `${at.file}:${line ?? at.line}`;
}

/** The line of an entry, if known. */
export function entryLine(container: unknown, entry: string | number): number | undefined {
  const at = locationOf(container);
  if (!at) return undefined;
  return typeof entry === 'number' ? at.items[entry] : at.keys.get(entry);
}

/**
 * Parses one pipeline or template file into compose's YAML tree (src/compose/yaml.ts), read with
 * the failsafe schema, each mapping and sequence keeping its lines. `maxNodes` bounds what aliases
 * may expand to (an alias bomb is refused at once). Throws {@link FileError} at file:line:column.
 */
export function loadPipelineYaml(text: string, file: string, maxNodes = 200_000): YamlValue | undefined {
  const documents = parseYamlTree(
    text,
    file,
    maxNodes,
    {
      failsafe: true,
      onCollection: (value, line) => locations.set(value, { file, line, keys: new Map(), items: [] }),
      onEntry: recordEntryLine,
    },
    (reason) => `not valid YAML (${reason}).`,
  );
  if (documents.length > 1) throw new FileError(file, 'holds more than one YAML document; a pipeline file holds one.');
  return (documents[0]?.value ?? undefined) as YamlValue | undefined;
}
