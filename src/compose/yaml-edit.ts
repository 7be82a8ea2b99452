import type { ValueSpan } from './yaml';

/**
 * Text edits of a YAML document at the places its source map recorded ({@link ValueSpan}, from
 * parseYamlForEditing), so that a value can be replaced or a key added without re-serializing:
 * comments, order, anchors and quoting stay as they were.
 */

/** A text replacement: `[start, end)` becomes `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Replaces a scalar's or an alias's text with `text` (a value that needs no quoting), keeping its
 * quotes and anchor; undefined for a value that has no such text (a block scalar, an empty value,
 * a mapping or a sequence).
 */
export function replaceValue(span: ValueSpan, text: string): TextEdit | undefined {
  if (span.kind === 'alias') return { start: span.start, end: span.end, text };
  if (span.kind !== 'scalar' || span.block || span.start < 0) return undefined;
  return { start: span.start, end: span.end, text };
}

/** Adds `key: value` as the first entry of a mapping, in its block or flow style; undefined for any other value. */
export function insertFirstKey(source: string, span: ValueSpan, key: string, value: string): TextEdit | undefined {
  if (span.kind !== 'mapping') return undefined;
  const start = span.start;
  if (span.flow) {
    const empty = /^\{\s*\}/.test(source.slice(start));
    return { start: start + 1, end: start + 1, text: empty ? `${key}: ${value}` : `${key}: ${value}, ` };
  }
  const column = start - (source.lastIndexOf('\n', start - 1) + 1);
  return { start, end: start, text: `${key}: ${value}\n${' '.repeat(column)}` };
}

/** Applies non-overlapping edits. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
