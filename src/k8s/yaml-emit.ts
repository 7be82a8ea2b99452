/**
 * A small, fast YAML emitter for manifests (plain JSON data: mappings, lists, strings, numbers,
 * booleans, null). Keys are sorted; a string is written plain only when no YAML 1.1 or 1.2 reader
 * can take it for anything else, as a literal block when it has several lines, and double-quoted
 * (JSON syntax, which YAML reads the same) otherwise. js-yaml's dump does the same job several
 * times slower on large manifests; the round-trip tests hold the output to what js-yaml reads.
 */

const PLAIN = /^[A-Za-z_/$-][\x20-\x7e]*$/;
/** Resource quantities (`20Gi`, `500m`) start with a digit yet are never numbers in YAML. */
const QUANTITY = /^[0-9]+(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)$/;
/**
 * A string that starts with a digit and holds `/` or `@` (a registry image: `127.0.0.1:5000/api@sha256:…`)
 * is no number, timestamp or sexagesimal in any YAML version, so it is written plain like js-yaml does.
 */
const DIGIT_PATH = /^[0-9][\x20-\x7e]*[/@]/;
const SPECIAL_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i;
const PRINTABLE_BLOCK = /^[\n\t\x20-\x7e\u00a0-\ud7ff\ue000-\ufffc]*$/;

function isPlain(text: string): boolean {
  if (QUANTITY.test(text)) return true;
  if (text === '-' || /^-[\s.0-9]/.test(text)) return false;
  return (PLAIN.test(text) || DIGIT_PATH.test(text)) && !SPECIAL_WORDS.test(text) && !text.includes(': ') && !text.includes(' #') && !text.endsWith(':') && !text.endsWith(' ');
}

function blockLiteral(text: string, indent: string): string | undefined {
  if (!text.includes('\n') || !PRINTABLE_BLOCK.test(text) || text.startsWith(' ') || text.startsWith('\n') || text.startsWith('\t')) return undefined;
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
  if (text.includes('\n')) return isPlain(text) ? text : blockLiteral(text, indent) ?? JSON.stringify(text);
  return remember(writtenScalars, text, () => (isPlain(text) ? text : JSON.stringify(text)));
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
  return remember(writtenKeys, text, () => (text !== '' && isPlain(text) ? text : JSON.stringify(text)));
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: Record<string, unknown> | unknown[]): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function emitMapping(value: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  keys.forEach((k, i) => {
    const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    emitEntry(`${prefix}${key(k)}:`, value[k], indent, out);
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
  for (const item of items) {
    if (!isCollection(item)) out.push(`${indent}- ${scalar(item, `${indent}  `)}`);
    else if (isEmpty(item)) out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
    else if (Array.isArray(item)) {
      out.push(`${indent}-`);
      emitSequence(item, `${indent}  `, out);
    } else emitMapping(item, `${indent}  `, out, `${indent}- `);
  }
}

/** One YAML document (without the `---` line) for a mapping, keys sorted, ending in a newline. */
export function emitYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  emitMapping(value, '', out);
  return out.join('\n') + '\n';
}
