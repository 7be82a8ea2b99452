import type { Value } from './expression-eval';
import { ExpressionError } from './expression-parser';
import { copyLocation, type YamlValue } from './pipeline-yaml';

/**
 * The syntax of template expressions inside YAML text: `${{ … }}` in a value or a key, the
 * directive keys (`${{ if }}`, `${{ elseif }}`, `${{ else }}`, `${{ each x in … }}`,
 * `${{ insert }}`), and how an expression's value goes back into YAML.
 */

/** A directive key. */
export type Directive =
  { kind: 'if' | 'elseif'; expression: string } | { kind: 'else' | 'insert' } | { kind: 'each'; name: string; expression: string };

const DIRECTIVE = /^\$\{\{\s*(if|elseif|else|each|insert)\b([\s\S]*?)\}\}$/;

/** True for a YAML mapping. */
export function isMapping(value: unknown): value is Record<string, YamlValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Splits text into literal parts and `${{ … }}` expressions (a `}}` inside a quoted string does not end one). */
export function splitTemplateText(text: string): Array<string | { expression: string }> {
  const parts: Array<string | { expression: string }> = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${{', i);
    if (start < 0) break;
    let j = start + 3;
    let quoted = false;
    for (; j < text.length; j++) {
      if (text[j] === "'") quoted = !quoted;
      else if (!quoted && text[j] === '}' && text[j + 1] === '}') break;
    }
    if (j >= text.length) throw new ExpressionError(`'\${{' at column ${start + 1} is not closed with '}}'.`);
    if (start > i) parts.push(text.slice(i, start));
    parts.push({ expression: text.slice(start + 3, j) });
    i = j + 2;
  }
  if (i < text.length) parts.push(text.slice(i));
  return parts;
}

/** The directive a mapping key is, if it is one; throws {@link ExpressionError} for a malformed one. */
export function parseDirective(key: string): Directive | undefined {
  const m = DIRECTIVE.exec(key.trim());
  if (!m) return undefined;
  const rest = m[2].trim();
  switch (m[1]) {
    case 'if':
    case 'elseif':
      if (!rest) throw new ExpressionError(`\${{ ${m[1]} }} needs a condition.`);
      return { kind: m[1], expression: rest };
    case 'each': {
      const each = /^([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([\s\S]+)$/.exec(rest);
      if (!each) throw new ExpressionError('${{ each }} is written ${{ each name in collection }}.');
      return { kind: 'each', name: each[1], expression: each[2] };
    }
    default:
      if (rest) throw new ExpressionError(`\${{ ${m[1]} }} takes nothing after it.`);
      return { kind: m[1] as 'else' | 'insert' };
  }
}

/** A value produced by an expression, as YAML text where it is one value (`true`, `3`). */
export function toYaml(value: Value): YamlValue {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(toYaml);
  if (typeof value === 'object') {
    const out: Record<string, YamlValue> = {};
    copyLocation(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = toYaml(v);
    return out;
  }
  return value;
}
