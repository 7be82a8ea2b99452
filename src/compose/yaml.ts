import {
  COLLECTION_STYLE,
  EVENT_ID,
  NOT_RESOLVED,
  SCALAR_STYLE,
  YAMLException,
  boolCoreTag,
  floatCoreTag,
  getScalarValue,
  intCoreTag,
  nullCoreTag,
  parseEvents,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import { FileError } from '../common/errors';
import { formatPath, setKey, type KeyPath } from './paths';

/**
 * YAML for compose files: js-yaml's event parser (offsets into the source) with our own small
 * composer on top, so that every value keeps its file:line:column, the compose tags `!reset` and
 * `!override` are understood, and aliases are shared (never copied) and counted, which rejects an
 * alias bomb ("billion laughs") as soon as its expanded size passes a bound.
 */

/** A value tagged `!reset` or `!override` (the compose merge rules act on them). */
export class ComposeTag {
  constructor(
    readonly tag: 'reset' | 'override',
    readonly value: unknown,
  ) {}
}

/**
 * How a value is written in the text, for editing it in place: a scalar's text (`start < 0`: an
 * empty value, with no text), an alias (`*name`), or where a mapping or sequence starts.
 */
export type ValueSpan =
  | { kind: 'scalar'; start: number; end: number; block: boolean }
  | { kind: 'alias'; start: number; end: number }
  | { kind: 'mapping' | 'sequence'; start: number; flow: boolean };

/** Where each key path of a document was written. */
export class SourceMap {
  private readonly offsets = new Map<string, number>();
  private spans: Map<string, ValueSpan> | undefined;
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    private readonly source: string,
  ) {}

  /** Records the offset of the value at a formatted path (the first record wins: keys come before values). */
  record(path: string, offset: number): void {
    if (!this.offsets.has(path)) this.offsets.set(path, offset);
  }

  /** Records how the value at a formatted path is written (only documents parsed for editing keep these). */
  recordSpan(path: string, span: ValueSpan): void {
    (this.spans ??= new Map()).set(path, span);
  }

  /**
   * How the value at `path` is written in this document, when the document was parsed for editing
   * and the value is written there (not merged in by `<<`); else undefined.
   */
  span(path: KeyPath): ValueSpan | undefined {
    return this.spans?.get(formatPath(path));
  }

  /** `file:line:column` of `path`, or of its nearest recorded ancestor; undefined when unknown. */
  locate(path: KeyPath): string | undefined {
    for (let n = path.length; n >= 0; n--) {
      const offset = this.offsets.get(formatPath(path.slice(0, n)));
      if (offset !== undefined) return this.position(offset);
    }
    return undefined;
  }

  /** `file:line:column` of exactly `path`; undefined when it was not written in this document. */
  locateExact(path: KeyPath): string | undefined {
    const offset = this.offsets.get(formatPath(path));
    return offset === undefined ? undefined : this.position(offset);
  }

  /** `file:line:column` of a source offset. */
  position(offset: number): string {
    const line = this.lineOf(offset);
    return `${this.file}:${line}:${offset - this.lineStarts![line - 1] + 1}`;
  }

  /** The line (from 1) of a source offset. */
  lineOf(offset: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.source.length; i++) if (this.source.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** One parsed YAML document with its source map. */
export interface YamlDocument {
  value: unknown;
  sources: SourceMap;
}

/** Limits against hostile input. */
export interface YamlLimits {
  /** Largest source accepted, in characters. */
  maxLength: number;
  /** Largest expanded node count, as a multiple of the source's own node count (aliases expand). */
  maxExpansion: number;
  /** Expanded node count always allowed, whatever the ratio. */
  minNodes: number;
}

/** The limits used for compose files. */
const DEFAULT_YAML_LIMITS: YamlLimits = { maxLength: 32 * 1024 * 1024, maxExpansion: 10, minNodes: 100_000 };

/**
 * How a reader other than compose's takes the tree: pipeline YAML reads every scalar as text (the
 * failsafe schema: no tags, `1.10` stays `1.10`) and keeps the line of each mapping, sequence and
 * entry on the objects themselves, since template expansion moves them around.
 */
export interface YamlTreeOptions {
  /** Every scalar is its text, and tags are ignored (YAML's failsafe schema). */
  failsafe?: boolean;
  /** Called for each mapping and sequence as it starts, with its line. */
  onCollection?: (value: Record<string, unknown> | unknown[], line: number) => void;
  /** Called for each entry of a mapping (its key's line; a key merged by `<<`, the merge's) or a sequence (its value's line). */
  onEntry?: (container: Record<string, unknown> | unknown[], entry: string | number, line: number) => void;
}

interface Frame {
  kind: 'map' | 'seq';
  value: Record<string, unknown> | unknown[];
  /** The formatted key path (`services.web.ports[0]`). */
  path: string;
  tag: string;
  anchor: string | undefined;
  /** Expanded node count of this collection so far. */
  weight: number;
  /** Map only: the key waiting for its value. */
  key: string | undefined;
  merges: Array<{ value: unknown; offset: number }>;
  start: number;
}

interface Composed {
  value: unknown;
  weight: number;
}

const CORE_SCALARS = [nullCoreTag, boolCoreTag, intCoreTag, floatCoreTag];

function resolvePlain(text: string): unknown {
  // Compose (Go's yaml.v3) reads a leading 0 as octal, as in `mode: 0440`.
  if (/^[-+]?0[0-7]+$/.test(text)) return parseInt(text, 8);
  for (const tag of CORE_SCALARS) {
    const value = tag.resolve(text, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value;
  }
  return text;
}

function childKeyPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

const STANDARD_TAG = /^(?:!!|tag:yaml\.org,2002:)(str|int|float|bool|null|map|seq)$/;

/**
 * js-yaml's event stream of a YAML file; a syntax error is a FileError at file:line:column, with
 * `describe`'s wording of js-yaml's reason.
 */
function parseYamlEvents(text: string, file: string, describe = (reason: string) => `is not valid YAML: ${reason}.`): Event[] {
  try {
    return parseEvents(text, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const at = err.mark ? `${file}:${err.mark.line + 1}:${err.mark.column + 1}` : file;
      throw new FileError(at, describe(err.reason));
    }
    throw err;
  }
}

/** Parses every document of a YAML file; errors are FileErrors at file:line:column. */
export function parseYamlDocuments(text: string, file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlDocument[] {
  return composeDocuments(text, file, limits, false);
}

/**
 * Parses every document of a YAML file as {@link parseYamlDocuments} does, and keeps in each source
 * map how every value is written ({@link SourceMap.span}), so that yaml-edit.ts can change a value
 * without re-serializing the file.
 */
export function parseYamlForEditing(text: string, file: string): YamlDocument[] {
  return composeDocuments(text, file, DEFAULT_YAML_LIMITS, true);
}

function composeDocuments(text: string, file: string, limits: YamlLimits, spans: boolean): YamlDocument[] {
  if (text.length > limits.maxLength) throw new FileError(file, `is larger than ${limits.maxLength} characters: not a compose file.`);
  const events = parseYamlEvents(text, file);
  const maxNodes = Math.max(limits.minNodes, limits.maxExpansion * events.length);
  return new Composer(text, file, maxNodes, spans).compose(events);
}

/**
 * Parses every document of a YAML file into the same tree as {@link parseYamlDocuments} (file:line:column
 * errors, shared and counted aliases, merge keys), read as `options` say; `describe` words a syntax error.
 */
export function parseYamlTree(
  text: string,
  file: string,
  maxNodes: number,
  options: YamlTreeOptions,
  describe?: (reason: string) => string,
): YamlDocument[] {
  return new Composer(text, file, maxNodes, false, options).compose(parseYamlEvents(text, file, describe));
}

class Composer {
  private anchors = new Map<string, Composed>();
  private sources!: SourceMap;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly maxNodes: number,
    /** Record every value's {@link ValueSpan} (for editing). */
    private readonly spans: boolean,
    private readonly options: YamlTreeOptions = {},
  ) {}

  private fail(offset: number, detail: string): never {
    throw new FileError(this.sources.position(offset), detail);
  }

  compose(events: Event[]): YamlDocument[] {
    const docs: YamlDocument[] = [];
    const stack: Frame[] = [];
    let root: Composed | undefined;
    const add = (item: Composed, offset: number): void => {
      const top = stack[stack.length - 1];
      if (!top) {
        root = item;
        return;
      }
      top.weight += item.weight;
      if (top.weight > this.maxNodes) this.fail(top.start, `expands to more than ${this.maxNodes} YAML nodes (an alias bomb?): refused.`);
      if (top.kind === 'seq') {
        const list = top.value as unknown[];
        this.sources.record(`${top.path}[${list.length}]`, offset);
        this.options.onEntry?.(list, list.length, this.sources.lineOf(offset));
        list.push(item.value);
        return;
      }
      const map = top.value as Record<string, unknown>;
      if (top.key === undefined) {
        if (item.value !== null && typeof item.value === 'object' && !(item.value instanceof ComposeTag))
          this.fail(offset, 'a mapping key must be a plain value, not a list or a mapping.');
        const key = item.value === null ? 'null' : String(item.value instanceof ComposeTag ? item.value.value : item.value);
        if (Object.prototype.hasOwnProperty.call(map, key))
          this.fail(offset, `the key '${key}' appears twice in the same mapping${top.path ? ` at ${top.path}` : ''}.`);
        top.key = key;
        this.sources.record(childKeyPath(top.path, key), offset);
        if (key !== '<<') this.options.onEntry?.(map, key, this.sources.lineOf(offset));
        return;
      }
      const key = top.key;
      top.key = undefined;
      if (key === '<<' && !(item.value instanceof ComposeTag)) {
        top.merges.push({ value: item.value, offset });
        return;
      }
      setKey(map, key, item.value);
    };

    for (const event of events) {
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          this.anchors = new Map();
          this.sources = new SourceMap(this.file, this.text);
          root = undefined;
          break;
        case EVENT_ID.MAPPING:
        case EVENT_ID.SEQUENCE: {
          const tag = this.slice(event.tagStart, event.tagEnd);
          const parent = stack[stack.length - 1];
          const path = parent ? this.childPath(parent) : '';
          this.sources.record(path, event.start);
          if (this.spans)
            this.sources.recordSpan(path, {
              kind: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence',
              start: event.start,
              flow: event.style === COLLECTION_STYLE.FLOW,
            });
          const value = event.type === EVENT_ID.MAPPING ? {} : [];
          this.options.onCollection?.(value, this.sources.lineOf(event.start));
          stack.push({
            kind: event.type === EVENT_ID.MAPPING ? 'map' : 'seq',
            value,
            path,
            tag,
            anchor: this.slice(event.anchorStart, event.anchorEnd) || undefined,
            weight: 1,
            key: undefined,
            merges: [],
            start: event.start,
          });
          break;
        }
        case EVENT_ID.SCALAR: {
          const item = this.scalar(event);
          if (this.spans)
            this.recordValueSpan(stack, {
              kind: 'scalar',
              start: event.valueStart,
              end: event.valueEnd,
              block: event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK,
            });
          const anchor = this.slice(event.anchorStart, event.anchorEnd);
          if (anchor) this.anchors.set(anchor, item);
          add(item, event.valueStart);
          break;
        }
        case EVENT_ID.ALIAS: {
          const name = this.slice(event.anchorStart, event.anchorEnd);
          const item = this.anchors.get(name);
          if (!item) this.fail(event.anchorStart, `the alias *${name} refers to no anchor defined before it.`);
          if (this.spans) this.recordValueSpan(stack, { kind: 'alias', start: event.anchorStart - 1, end: event.anchorEnd });
          add(item, event.anchorStart - 1);
          break;
        }
        case EVENT_ID.POP: {
          const frame = stack.pop();
          if (!frame) {
            docs.push({ value: root?.value ?? null, sources: this.sources });
            break;
          }
          if (frame.kind === 'map') this.applyMerges(frame);
          const item: Composed = { value: this.applyTag(frame.tag, frame.value, frame.kind, frame.start), weight: frame.weight };
          if (frame.anchor) this.anchors.set(frame.anchor, item);
          add(item, frame.start);
          break;
        }
      }
    }
    return docs;
  }

  /** Records the span of a scalar or alias in value position (a mapping key has none). */
  private recordValueSpan(stack: Frame[], span: ValueSpan): void {
    const top = stack[stack.length - 1];
    if (!top) this.sources.recordSpan('', span);
    else if (top.kind === 'seq' || top.key !== undefined) this.sources.recordSpan(this.childPath(top), span);
  }

  private childPath(parent: Frame): string {
    return parent.kind === 'seq'
      ? `${parent.path}[${(parent.value as unknown[]).length}]`
      : parent.key === undefined
        ? parent.path
        : childKeyPath(parent.path, parent.key);
  }

  private slice(start: number, end: number): string {
    return start >= 0 ? this.text.slice(start, end) : '';
  }

  /** YAML merge keys (`<<: *base` or `<<: [*a, *b]`): keys written in the mapping win, then earlier sources. */
  private applyMerges(frame: Frame): void {
    const map = frame.value as Record<string, unknown>;
    for (const merge of frame.merges) {
      const sources = Array.isArray(merge.value) ? merge.value : [merge.value];
      for (const source of sources) {
        if (source === null || typeof source !== 'object' || Array.isArray(source) || source instanceof ComposeTag) {
          this.fail(merge.offset, 'a merge key (<<) takes a mapping or a list of mappings.');
        }
        for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
          if (!Object.prototype.hasOwnProperty.call(map, key)) {
            setKey(map, key, value);
            this.sources.record(childKeyPath(frame.path, key), merge.offset);
            this.options.onEntry?.(map, key, this.sources.lineOf(merge.offset));
          }
        }
      }
    }
  }

  private scalar(event: ScalarEvent): Composed {
    const text = getScalarValue(this.text, event);
    const tag = this.slice(event.tagStart, event.tagEnd);
    if (this.options.failsafe) return { value: text, weight: 1 };
    if (tag === '' || tag === '!') {
      return { value: event.style === SCALAR_STYLE.PLAIN && tag === '' ? resolvePlain(text) : text, weight: 1 };
    }
    return { value: this.applyTag(tag, text, 'scalar', event.valueStart), weight: 1 };
  }

  private applyTag(tag: string, value: unknown, kind: 'map' | 'seq' | 'scalar', offset: number): unknown {
    if (tag === '' || this.options.failsafe) return value;
    if (tag === '!reset')
      return new ComposeTag('reset', kind === 'scalar' && (value === '' || value === 'null' || value === '~') ? null : value);
    if (tag === '!override') return new ComposeTag('override', kind === 'scalar' ? resolvePlain(value as string) : value);
    const standard = STANDARD_TAG.exec(tag);
    if (!standard) this.fail(offset, `the YAML tag ${tag} is not supported here (compose files know !reset and !override).`);
    const name = standard[1];
    if (name === 'map' || name === 'seq') {
      if ((name === 'map') !== (kind === 'map')) this.fail(offset, `the tag ${tag} does not fit this value.`);
      return value;
    }
    if (kind !== 'scalar') this.fail(offset, `the tag ${tag} needs a plain value.`);
    if (name === 'str') return value;
    const resolver = { int: intCoreTag, float: floatCoreTag, bool: boolCoreTag, null: nullCoreTag }[name]!;
    const resolved = resolver.resolve(value as string, true, resolver.tagName);
    if (resolved === NOT_RESOLVED) this.fail(offset, `'${String(value)}' is not a valid ${tag} value.`);
    return resolved;
  }
}
