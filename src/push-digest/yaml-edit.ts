import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, COLLECTION_STYLE, type Event, type ScalarEvent, type MappingEvent, type AliasEvent } from 'js-yaml';

/**
 * Locations in a YAML document's text, from js-yaml's event stream, so that a value can be replaced
 * or a key added without re-serializing: comments, order, anchors and quoting stay as they were.
 */
export type YamlNode =
  | { kind: 'mapping'; event: MappingEvent; pairs: Array<[YamlNode, YamlNode]> }
  | { kind: 'sequence'; items: YamlNode[] }
  | { kind: 'scalar'; event: ScalarEvent; value: string }
  | { kind: 'alias'; event: AliasEvent };

/** A text replacement: `[start, end)` becomes `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The root node of the (single) document in `source`, or undefined for an empty one. */
export function parseYamlTree(source: string, filename: string): YamlNode | undefined {
  const events = parseEvents(source, { filename });
  let i = 0;
  const node = (): YamlNode => {
    const e = events[i++];
    switch (e.type) {
      case EVENT_ID.SCALAR:
        return { kind: 'scalar', event: e, value: getScalarValue(source, e) };
      case EVENT_ID.ALIAS:
        return { kind: 'alias', event: e };
      case EVENT_ID.SEQUENCE: {
        const items: YamlNode[] = [];
        while (events[i].type !== EVENT_ID.POP) items.push(node());
        i++;
        return { kind: 'sequence', items };
      }
      case EVENT_ID.MAPPING: {
        const pairs: Array<[YamlNode, YamlNode]> = [];
        while (events[i].type !== EVENT_ID.POP) pairs.push([node(), node()]);
        i++;
        return { kind: 'mapping', event: e, pairs };
      }
      default:
        throw new Error(`unexpected YAML event ${(e as Event).type}`);
    }
  };
  if (events[i]?.type !== EVENT_ID.DOCUMENT) return undefined;
  i++;
  return events[i].type === EVENT_ID.POP ? undefined : node();
}

/** The value of `key` in a mapping node (the last one, as YAML loaders do), or undefined. */
export function mappingValue(node: YamlNode | undefined, key: string): YamlNode | undefined {
  if (node?.kind !== 'mapping') return undefined;
  const pair = [...node.pairs].reverse().find(([k]) => k.kind === 'scalar' && k.value === key);
  return pair?.[1];
}

/** Replaces a scalar's or an alias's text with `text` (a value that needs no quoting), keeping its quotes and anchor. */
export function replaceValue(node: YamlNode, text: string): TextEdit | undefined {
  if (node.kind === 'alias') return { start: node.event.anchorStart - 1, end: node.event.anchorEnd, text };
  if (node.kind !== 'scalar') return undefined;
  const style = node.event.style;
  if (style === SCALAR_STYLE.LITERAL_BLOCK || style === SCALAR_STYLE.FOLDED_BLOCK) return undefined;
  if (node.event.valueStart < 0) return undefined; // an empty value: there is no text to replace
  return { start: node.event.valueStart, end: node.event.valueEnd, text };
}

/** Adds `key: value` as the first entry of a mapping, in its block or flow style. */
export function insertFirstKey(source: string, node: YamlNode, key: string, value: string): TextEdit | undefined {
  if (node.kind !== 'mapping') return undefined;
  const start = node.event.start;
  if (node.event.style === COLLECTION_STYLE.FLOW) {
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
