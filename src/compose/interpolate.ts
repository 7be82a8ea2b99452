import { OuterloopError } from '../common/errors';
import { MAX_EXPANDED_TOTAL_CHARS, MAX_EXPANDED_VALUE_CHARS, MAX_INTERPOLATION_DEPTH } from '../common/limits';
import { formatPath, isMapping, setKey, type KeyPath } from './paths';
import { ComposeTag } from './yaml';

/**
 * Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, nested defaults,
 * and `$$` for a literal `$`. Variables come only from the lookup the caller passes: never from the
 * converting machine's environment.
 */

/** Looks a variable up; undefined when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

/**
 * A `${VAR:?message}` whose variable is unset, or a malformed `${…}`. The message never repeats
 * the value it comes from (it may be a password in an env file): the caller names the key.
 */
export class InterpolationError extends OuterloopError {}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** What interpolating one string found. */
export interface InterpolationResult {
  value: string;
  /** Variables that were used but not set (they became empty strings). */
  unset: string[];
}

/** Interpolates one string. Throws {@link InterpolationError}. */
export function interpolateString(text: string, lookup: VariableLookup): InterpolationResult {
  const unset: string[] = [];
  const value = text.includes('$') ? expand(text, lookup, unset, 0) : text;
  return { value, unset };
}

function expand(text: string, lookup: VariableLookup, unset: string[], depth: number): string {
  if (depth > MAX_INTERPOLATION_DEPTH) throw new InterpolationError(`nests \${…} more than ${MAX_INTERPOLATION_DEPTH} deep.`);
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (out.length > MAX_EXPANDED_VALUE_CHARS)
      throw new InterpolationError(`expands to more than ${formatChars(MAX_EXPANDED_VALUE_CHARS)}: a variable may not grow past that.`);
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = findClosingBrace(text, dollar + 2);
      if (end < 0) throw new InterpolationError('has an unclosed ${ (write $$ for a literal $).');
      out += expandBraced(text.slice(dollar + 2, end), lookup, unset, depth + 1);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1));
      if (name) {
        out += valueOf(name[0], lookup, unset);
        i = dollar + 1 + name[0].length;
      } else {
        out += '$';
        i = dollar + 1;
      }
    }
  }
  if (out.length > MAX_EXPANDED_VALUE_CHARS)
    throw new InterpolationError(`expands to more than ${formatChars(MAX_EXPANDED_VALUE_CHARS)}: a variable may not grow past that.`);
  return out;
}

function formatChars(n: number): string {
  return `${n / (1024 * 1024)} Mi characters`;
}

function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') i++;
    else if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function valueOf(name: string, lookup: VariableLookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) {
    if (!unset.includes(name)) unset.push(name);
    return '';
  }
  return value;
}

function expandBraced(inner: string, lookup: VariableLookup, unset: string[], depth: number): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) throw new InterpolationError('has a ${…} whose variable name does not start with a letter or _ (write $$ for a literal $).');
  const rest = inner.slice(name.length);
  if (rest === '') return valueOf(name, lookup, unset);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) throw new InterpolationError(`has an invalid \${${name}…}: after the name comes }, :-, -, :?, ?, :+ or +.`);
  const arg = rest.slice(op.length);
  const value = lookup(name);
  const colon = op.startsWith(':');
  const missing = value === undefined || (colon && value === '');
  switch (op[op.length - 1]) {
    case '-':
      return missing ? expand(arg, lookup, unset, depth) : value!;
    case '+':
      return missing ? '' : expand(arg, lookup, unset, depth);
    default: {
      if (!missing) return value!;
      const message = expand(arg, lookup, unset, depth);
      throw new InterpolationError(
        `required variable ${name} is ${value === undefined ? 'not set' : 'empty'}${message ? `: ${message}` : ''}.`,
      );
    }
  }
}

/** Reports where a tree's interpolation went wrong or used unset variables. */
export interface TreeInterpolation {
  value: unknown;
  /** Unset variables, each with the first key path that used it. */
  unset: Array<{ name: string; path: KeyPath }>;
}

/**
 * Interpolates every string value of a parsed compose document (keys are left as written).
 * `onError` turns an {@link InterpolationError} at a path into the error to throw.
 */
export function interpolateTree(
  value: unknown,
  lookup: VariableLookup,
  onError: (path: KeyPath, err: InterpolationError) => Error,
): TreeInterpolation {
  const unset: Array<{ name: string; path: KeyPath }> = [];
  const seen = new Set<string>();
  const path: Array<string | number> = [];
  let grown = 0;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$')) return node;
      let result: InterpolationResult;
      try {
        result = interpolateString(node, lookup);
      } catch (err) {
        if (err instanceof InterpolationError) throw onError([...path], err);
        throw err;
      }
      // Each string is bounded; so is their sum, or many small `${BIG}` would add up without end.
      grown += result.value.length - node.length;
      if (grown > MAX_EXPANDED_TOTAL_CHARS) {
        throw onError(
          [...path],
          new InterpolationError(`makes the document grow by more than ${formatChars(MAX_EXPANDED_TOTAL_CHARS)} through interpolation.`),
        );
      }
      for (const name of result.unset) {
        if (!seen.has(name)) {
          seen.add(name);
          unset.push({ name, path: [...path] });
        }
      }
      return result.value;
    }
    // Lists and mappings are copied only when something in them changed.
    if (Array.isArray(node)) {
      let changed = false;
      const out = node.map((item, i) => {
        path.push(i);
        const value = walk(item);
        path.pop();
        if (value !== item) changed = true;
        return value;
      });
      return changed ? out : node;
    }
    if (node instanceof ComposeTag) {
      const value = walk(node.value);
      return value === node.value ? node : new ComposeTag(node.tag, value);
    }
    if (isMapping(node)) {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        path.push(key);
        const value = walk(node[key]);
        path.pop();
        if (value !== node[key]) changed = true;
        setKey(out, key, value);
      }
      return changed ? out : node;
    }
    return node;
  };
  return { value: walk(value), unset };
}

/** The warning for an unset variable, as Compose words it. */
export function describeUnset(name: string, path: KeyPath): string {
  return `${formatPath(path)}: the variable ${name} is not set: it became an empty string.`;
}
