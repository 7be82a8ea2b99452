/**
 * A small, fast YAML emitter for manifests (plain JSON data: mappings, lists, strings, numbers,
 * booleans, null). Keys are sorted; a string is written plain only when no YAML 1.1 or 1.2 reader
 * can take it for anything else, as a literal block when it has several lines, and double-quoted
 * otherwise. Every string reads back identically in js-yaml and in kubectl's readers (goyaml v2
 * for `apply`, goyaml v3 for `kustomize`): the property test in test/integration/manifest-round-trip
 * holds the emitter to that. js-yaml's dump does the same job several times slower on large manifests.
 */
import { OuterloopError } from '../common/errors';

/** A value no Kubernetes reader can read back (a lone UTF-16 surrogate); `path` is its key path. */
export class ManifestEmitError extends OuterloopError {
  constructor(
    readonly path: string[],
    readonly detail: string,
  ) {
    super(`The manifest value at '${path.join('.')}' ${detail}.`);
  }
}

// Every rule below is anchored at both ends: a plain scalar is printable ASCII on one line, never
// a control character, tab or line break (one unanchored rule once let `1/⏎  privileged: true` in).
const PLAIN = /^[A-Za-z_/$-][\x20-\x7e]*$/;
/** Resource quantities (`20Gi`, `500m`) start with a digit yet are never numbers in YAML. */
const QUANTITY = /^[0-9]+(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)$/;
/**
 * A one-line string that starts with a digit and holds `/` or `@` (a registry image:
 * `127.0.0.1:5000/api@sha256:…`) is no number, timestamp or sexagesimal in any YAML version, so it
 * is written plain like js-yaml does.
 */
const DIGIT_PATH = /^[0-9](?=[\x20-\x7e]*[/@])[\x20-\x7e]*$/;
const SPECIAL_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i;
/**
 * What a literal block may hold: YAML's printable characters less those a YAML 1.1 reader takes
 * as a line break (NEL, U+2028, U+2029) and the byte order mark, which goyaml refuses mid-stream.
 */
const PRINTABLE_BLOCK = /^[\n\t\x20-\x7e\u{a0}-\u{2027}\u{202a}-\u{d7ff}\u{e000}-\u{fefe}\u{ff00}-\u{fffd}\u{10000}-\u{10ffff}]*$/u;
/** Characters JSON leaves raw that YAML must see escaped: DEL, C1 controls, YAML 1.1 line breaks, BOM, non-characters. */
const ESCAPE_IN_QUOTES = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Implicit keys are limited to 1024 characters in YAML; longer ones are written as explicit `? key`. */
const IMPLICIT_KEY_LIMIT = 1000;

function isPlain(text: string): boolean {
  if (QUANTITY.test(text)) return true;
  if (text === '-' || /^-[\s.0-9]/.test(text) || text.startsWith('---')) return false;
  return (
    (PLAIN.test(text) || DIGIT_PATH.test(text)) &&
    !SPECIAL_WORDS.test(text) &&
    !text.includes(': ') &&
    !text.includes(' #') &&
    !text.endsWith(':') &&
    !text.endsWith(' ')
  );
}

/** A double-quoted scalar: JSON's escapes, which YAML reads the same, plus those JSON leaves out. */
function quoted(text: string): string {
  if (LONE_SURROGATE.test(text))
    throw new ManifestEmitError(
      [],
      `holds a lone UTF-16 surrogate, which no Kubernetes reader can read: ${JSON.stringify(text.slice(0, 40))}`,
    );
  return JSON.stringify(text).replace(ESCAPE_IN_QUOTES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function blockLiteral(text: string, indent: string): string | undefined {
  if (!text.includes('\n') || !PRINTABLE_BLOCK.test(text) || text.startsWith(' ') || text.startsWith('\n') || text.startsWith('\t'))
    return undefined;
  const trailing = /\n*$/.exec(text)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing > 0 ? text.slice(0, text.length - 1) : text;
  const lines = body.split('\n').map((line) => (line === '' ? '' : indent + line));
  return `|${chomp}\n${lines.join('\n')}`;
}

function scalar(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write the number ${value} to a manifest`);
    return String(value);
  }
  const text = String(value);
  if (text === '') return "''";
  if (text.includes('\n')) return blockLiteral(text, indent) ?? quoted(text);
  return remember(writtenScalars, text, () => (isPlain(text) ? text : quoted(text)));
}

// How each key and one-line value was written: manifests repeat a few hundred keys and label
// values thousands of times, and deciding whether a string can be plain is the emitter's main cost.
const writtenKeys = new Map<string, string>();
const writtenScalars = new Map<string, string>();

function remember(cache: Map<string, string>, text: string, write: () => string): string {
  let written = cache.get(text);
  if (written === undefined) {
    written = write();
    if (cache.size >= 10_000) cache.clear();
    cache.set(text, written);
  }
  return written;
}

function key(text: string): string {
  return remember(writtenKeys, text, () => (text !== '' && isPlain(text) ? text : quoted(text)));
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: Record<string, unknown> | unknown[]): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function emitMapping(value: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  keys.forEach((k, i) => {
    const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    try {
      const written = key(k);
      emitEntry(written.length > IMPLICIT_KEY_LIMIT ? `${prefix}? ${written}\n${indent}:` : `${prefix}${written}:`, value[k], indent, out);
    } catch (err) {
      if (err instanceof ManifestEmitError) throw new ManifestEmitError([k, ...err.path], err.detail);
      throw err;
    }
  });
}

function emitEntry(head: string, value: unknown, indent: string, out: string[]): void {
  if (!isCollection(value)) {
    out.push(`${head} ${scalar(value, `${indent}  `)}`);
  } else if (isEmpty(value)) {
    out.push(`${head} ${Array.isArray(value) ? '[]' : '{}'}`);
  } else {
    out.push(head);
    if (Array.isArray(value)) emitSequence(value, `${indent}  `, out);
    else emitMapping(value, `${indent}  `, out);
  }
}

function emitSequence(items: unknown[], indent: string, out: string[]): void {
  items.forEach((item, i) => {
    try {
      if (!isCollection(item)) out.push(`${indent}- ${scalar(item, `${indent}  `)}`);
      else if (isEmpty(item)) out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
      else if (Array.isArray(item)) {
        out.push(`${indent}-`);
        emitSequence(item, `${indent}  `, out);
      } else emitMapping(item, `${indent}  `, out, `${indent}- `);
    } catch (err) {
      if (err instanceof ManifestEmitError) throw new ManifestEmitError([String(i), ...err.path], err.detail);
      throw err;
    }
  });
}

/** One YAML document (without the `---` line) for a mapping, keys sorted, ending in a newline. */
export function emitYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  emitMapping(value, '', out);
  return out.join('\n') + '\n';
}
