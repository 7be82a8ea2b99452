import { randomBytes } from 'node:crypto';
import { emitYaml } from '../yaml-emit';

/**
 * Writes a Helm template from a Kubernetes object in which some keys hold a {@link Hole}: a piece
 * of template text that Helm fills from the values. Everything else is written by the manifests'
 * own YAML emitter, so a chart's literal parts are byte for byte what `outerloop convert` writes,
 * with every `{{` in them escaped so that Helm prints it as it is.
 */

/** A key whose value Helm computes: `render(key, indent)` returns the template lines for it. */
export class Hole {
  constructor(readonly render: (key: string, indent: string) => string) {}
}

/** `key: <expr>` on one line. */
export function inlineHole(expression: string): Hole {
  return new Hole((key, indent) => `${indent}${key}: {{ ${expression} }}`);
}

/** `key:` with the YAML of `expression`'s value below it, left out when that value is empty. */
export function blockHole(expression: string): Hole {
  return new Hole((key, indent) => [
    `{{- with ${expression} }}`,
    `${indent}${key}:`,
    `${indent}  {{- toYaml . | nindent ${indent.length + 2} }}`,
    '{{- end }}',
  ].join('\n'));
}

/** `key:` with the text `include` returns (already YAML) below it, left out when it is empty. */
export function includeBlockHole(include: string): Hole {
  return new Hole((key, indent) => [
    `{{- with ${include} }}`,
    `${indent}${key}:`,
    `${indent}  {{- . | trim | nindent ${indent.length + 2} }}`,
    '{{- end }}',
  ].join('\n'));
}

/** `key: <scalar>`, left out when `expression` is empty. */
export function optionalScalarHole(expression: string, format = '.'): Hole {
  return new Hole((key, indent) => [`{{- with ${expression} }}`, `${indent}${key}: {{ ${format} }}`, '{{- end }}'].join('\n'));
}

/** A Go template string literal (JSON's string syntax is Go's). */
export function goString(text: string): string {
  return JSON.stringify(text);
}

/** A sprig `dict` of string pairs, keys sorted. */
export function goDict(record: Record<string, string>): string {
  const pairs = Object.keys(record).sort().map((k) => `${goString(k)} ${goString(record[k])}`);
  return pairs.length ? `(dict ${pairs.join(' ')})` : '(dict)';
}

/** Literal text that Helm must print as it is: `{{` starts an action, so it is written as an action printing `{{`. */
function escapeActions(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}

// Holes are emitted as a marker scalar, then the marker lines are replaced: one pass of the
// manifests' emitter per object. The nonce keeps any text in a compose file from passing for a marker.
const NONCE = randomBytes(6).toString('hex');
const MARKER = `__outerloop_hole_${NONCE}_`;
const MARKER_LINE = new RegExp(`^( *)(- )?(.+): ${MARKER}(\\d+)__$`);

function markHoles(node: unknown, holes: Hole[]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) markHoles(item, holes);
    return;
  }
  const map = node as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value instanceof Hole) {
      map[key] = `${MARKER}${holes.length}__`;
      holes.push(value);
    } else markHoles(value, holes);
  }
}

/**
 * The template text of one object whose keys may hold holes, ending in a newline. The object is
 * the caller's own copy: its holes are replaced by markers.
 */
export function writeTemplate(object: Record<string, unknown>): string {
  const holes: Hole[] = [];
  markHoles(object, holes);
  const text = escapeActions(emitYaml(object));
  // Found by indexOf, then parsed: a multi-line regex over the whole text costs far more.
  let out = '';
  let done = 0;
  for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, done)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    const [, indent, dash, key, index] = MARKER_LINE.exec(text.slice(start, end))!;
    const hole = holes[Number(index)];
    // The first key of a sequence item: the dash gets a line of its own, the key goes below it.
    out += text.slice(done, start) + (dash ? `${indent}-\n${hole.render(key, `${indent}  `)}` : hole.render(key, indent));
    done = end;
  }
  return out + text.slice(done);
}
