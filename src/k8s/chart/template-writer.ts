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

function containsHole(value: unknown): boolean {
  if (value instanceof Hole) return true;
  if (Array.isArray(value)) return value.some(containsHole);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsHole);
  return false;
}

function indentLines(text: string, indent: string): string[] {
  return escapeActions(text).replace(/\n$/, '').split('\n').map((line) => (line === '' ? line : indent + line));
}

/** How the emitter writes a key (quoted when it must be). */
function keyText(key: string): string {
  return emitYaml({ [key]: 0 }).slice(0, -4);
}

function writeMapping(value: Record<string, unknown>, indent: string, out: string[]): void {
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) {
    const v = value[k];
    if (v instanceof Hole) out.push(v.render(keyText(k), indent));
    else if (!containsHole(v)) out.push(...indentLines(emitYaml({ [k]: v }), indent));
    else if (Array.isArray(v)) {
      out.push(`${indent}${keyText(k)}:`);
      writeSequence(v, `${indent}  `, out);
    } else {
      out.push(`${indent}${keyText(k)}:`);
      writeMapping(v as Record<string, unknown>, `${indent}  `, out);
    }
  }
}

function writeSequence(items: unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    if (!containsHole(item)) {
      // The emitter writes a sequence under a key two spaces in: take its lines and move them.
      out.push(...indentLines(emitYaml({ _: [item] }).split('\n').slice(1).map((l) => l.slice(2)).join('\n'), indent));
    } else {
      // The item's keys go on the lines below its dash, so that a hole can be the first of them.
      out.push(`${indent}-`);
      writeMapping(item as Record<string, unknown>, `${indent}  `, out);
    }
  }
}

/** The template text of one object with holes, ending in a newline. */
export function writeTemplate(object: Record<string, unknown>): string {
  const out: string[] = [];
  writeMapping(object, '', out);
  return out.join('\n') + '\n';
}
