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
  // A hole shared by many objects (nodeSelector, resources, …) is written at a few places only.
  private readonly written = new Map<string, string>();

  constructor(private readonly write: (key: string, indent: string) => string) {}

  /** The template lines of this hole at `key`, indented by `indent`. */
  render(key: string, indent: string): string {
    const at = `${indent}${key}`;
    let text = this.written.get(at);
    if (text === undefined) {
      text = this.write(key, indent);
      this.written.set(at, text);
    }
    return text;
  }
}

/** `key: <expr>` on one line. */
export function inlineHole(expression: string): Hole {
  return new Hole((key, indent) => `${indent}${key}: {{ ${expression} }}`);
}

/** `key:` with the YAML of `expression`'s value below it, left out when that value is empty. */
export function blockHole(expression: string): Hole {
  return new Hole((key, indent) =>
    [`{{- with ${expression} }}`, `${indent}${key}:`, `${indent}  {{- toYaml . | nindent ${indent.length + 2} }}`, '{{- end }}'].join('\n'),
  );
}

/** `key:` with the text `include` returns (already YAML) below it, left out when it is empty. */
export function includeBlockHole(include: string): Hole {
  return new Hole((key, indent) =>
    [`{{- with ${include} }}`, `${indent}${key}:`, `${indent}  {{- . | trim | nindent ${indent.length + 2} }}`, '{{- end }}'].join('\n'),
  );
}

/** `key: <scalar>`, left out when `expression` is empty. */
export function optionalScalarHole(expression: string, format = '.'): Hole {
  return new Hole((key, indent) => [`{{- with ${expression} }}`, `${indent}${key}: {{ ${format} }}`, '{{- end }}'].join('\n'));
}

const goStrings = new Map<string, string>();

/** A Go template string literal (JSON's string syntax is Go's). Label keys and values repeat: each is quoted once. */
export function goString(text: string): string {
  let quoted = goStrings.get(text);
  if (quoted === undefined) {
    quoted = JSON.stringify(text);
    if (goStrings.size >= 10_000) goStrings.clear();
    goStrings.set(text, quoted);
  }
  return quoted;
}

/** A sprig `dict` of string pairs, keys sorted, leaving out the keys in `skip`. */
export function goDict(record: Record<string, string>, skip: readonly string[] = []): string {
  let text = '(dict';
  for (const key of Object.keys(record).sort()) if (!skip.includes(key)) text += ` ${goString(key)} ${goString(record[key])}`;
  return `${text})`;
}

/** Literal text that Helm must print as it is: `{{` starts an action, so it is written as an action printing `{{`. */
function escapeActions(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}

// Holes are emitted as a marker scalar, then the marker lines are replaced: one pass of the
// manifests' emitter per object. The nonce keeps any text in a compose file from passing for a marker.
const NONCE = randomBytes(6).toString('hex');
const MARKER = `__outerloop_hole_${NONCE}_`;

/** The holes of one template: each is put in the object as a marker scalar, replaced when it is written. */
export class HoleSet {
  private readonly holes: Hole[] = [];

  /** The marker to put where the hole goes. */
  mark(hole: Hole): string {
    this.holes.push(hole);
    return `${MARKER}${this.holes.length - 1}__`;
  }

  /** The hole of a marker's number. */
  at(index: number): Hole {
    return this.holes[index];
  }
}

/** The template text of one object whose values may be markers of `holes`, ending in a newline. */
export function writeTemplate(object: Record<string, unknown>, holes: HoleSet): string {
  const text = escapeActions(emitYaml(object));
  // Markers are found by indexOf and their lines parsed by hand: regular expressions cost far more here.
  let out = '';
  let done = 0;
  for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, done)) {
    // The marker's line: `<indent>[- ]<key>: <marker><n>__`.
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    let keyStart = start;
    while (text.charCodeAt(keyStart) === 32) keyStart++;
    const indent = text.slice(start, keyStart);
    const dash = text.startsWith('- ', keyStart);
    // (Should the emitter ever quote the marker, the quotes go with it.)
    const quote = text.charCodeAt(at - 1) === 34 ? 1 : 0;
    const key = text.slice(dash ? keyStart + 2 : keyStart, at - 2 - quote);
    const hole = holes.at(Number(text.slice(at + MARKER.length, end - 2 - quote)));
    // The first key of a sequence item: the dash gets a line of its own, the key goes below it.
    out += text.slice(done, start) + (dash ? `${indent}-\n${hole.render(key, `${indent}  `)}` : hole.render(key, indent));
    done = end;
  }
  return out + text.slice(done);
}
