import { EVENT_ID, getScalarValue } from 'js-yaml';
import { FileError } from '../common/errors';
import { parseYamlEvents } from '../compose/yaml';

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

interface Frame {
  value: Record<string, YamlValue> | YamlValue[];
  key: string | undefined;
  keyLine: number;
}

/**
 * Parses one pipeline or template file. `maxNodes` bounds what aliases may expand to (an alias
 * bomb is refused at once). Throws {@link FileError} at file:line:column.
 */
export function loadPipelineYaml(text: string, file: string, maxNodes = 200_000): YamlValue | undefined {
  const events = parseYamlEvents(text, file, (reason) => `not valid YAML (${reason}).`);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const anchors = new Map<string, YamlValue>();
  const stack: Frame[] = [];
  let root: YamlValue | undefined;
  let documents = 0;
  let nodes = 0;
  const add = (value: YamlValue, line: number): void => {
    if (++nodes > maxNodes) throw new FileError(`${file}:${line}`, `expands to more than ${maxNodes} YAML nodes (an alias bomb?): refused.`);
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      return;
    }
    if (Array.isArray(top.value)) {
      recordEntryLine(top.value, top.value.length, line);
      top.value.push(value);
      return;
    }
    if (top.key === undefined) {
      if (typeof value !== 'string') throw new FileError(`${file}:${line}`, 'a mapping key must be a plain value, not a list or a mapping.');
      if (Object.prototype.hasOwnProperty.call(top.value, value)) throw new FileError(`${file}:${line}`, `the key '${value}' appears twice in one mapping.`);
      top.key = value;
      top.keyLine = line;
      return;
    }
    const key = top.key;
    top.key = undefined;
    if (key === '<<' && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (!(k in top.value)) define(top.value, k, v, line);
      return;
    }
    define(top.value, key, value, top.keyLine);
  };
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1) throw new FileError(file, 'holds more than one YAML document; a pipeline file holds one.');
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const value: Record<string, YamlValue> | YamlValue[] = event.type === EVENT_ID.MAPPING ? {} : [];
        locations.set(value, { file, line: lineOf(event.start), keys: new Map(), items: [] });
        const anchor = event.anchorStart >= 0 ? text.slice(event.anchorStart, event.anchorEnd) : '';
        if (anchor) anchors.set(anchor, value);
        stack.push({ value, key: undefined, keyLine: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        const value = getScalarValue(text, event);
        const anchor = event.anchorStart >= 0 ? text.slice(event.anchorStart, event.anchorEnd) : '';
        if (anchor) anchors.set(anchor, value);
        add(value, lineOf(event.valueStart));
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(event.anchorStart, event.anchorEnd);
        const value = anchors.get(name);
        if (value === undefined) throw new FileError(`${file}:${lineOf(event.anchorStart)}`, `the alias *${name} refers to no anchor defined before it.`);
        add(value, lineOf(event.anchorStart));
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame) add(frame.value, locations.get(frame.value)?.line ?? 1);
        break;
      }
    }
  }
  return root;
}

function define(target: Record<string, YamlValue>, key: string, value: YamlValue, line: number): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
  recordEntryLine(target, key, line);
}
