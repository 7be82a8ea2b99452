import { FileError } from '../common/errors';
import { MAX_EXPANDED_TOTAL_CHARS } from '../common/limits';
import { InterpolationError, interpolateString, type VariableLookup } from './interpolate';
import { setKey } from './paths';

/**
 * The `.env` and `env_file` syntax of Compose: `KEY=value`, `export KEY=value`, `KEY: value`,
 * comments (`#` lines, and ` #` after an unquoted value), 'single quotes' (literal, may span lines),
 * "double quotes" (escapes \n \r \t \" \\ \$, may span lines), interpolation in unquoted and
 * double-quoted values (from the keys above in the same file, then `lookup`), and a bare `KEY`,
 * which takes its value from `lookup` and is left out when that has none.
 */

/** Options for {@link parseDotenv}. */
export interface DotenvOptions {
  /** Variables for interpolation and bare keys (never the machine's environment unless the caller passes it). */
  lookup?: VariableLookup;
  /** `raw`: every value as written after `=`, no quotes, no interpolation. */
  format?: 'env' | 'raw';
  /** false: `$` is literal everywhere (quotes, escapes and comments still apply). Default true. */
  interpolate?: boolean;
  /**
   * Every line must be `NAME=value` (only `=` separates) with a portable NAME (a letter or `_`,
   * then letters, digits, `_`, `.`, `-`): a bare `NAME` or `NAME: value` is an error instead of a
   * value taken from `lookup`. For env files whose values are meant to be all there (ComposeTest's).
   */
  strict?: boolean;
}

/** What a parse found: the variables in file order, and the variables that were used unset. */
export interface DotenvResult {
  values: Record<string, string>;
  unset: string[];
}

const KEY = /^[^\s=:#'"]+$/;
const STRICT_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses a dotenv text; errors are FileErrors at `file:line`. */
export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): DotenvResult {
  const outer = options.lookup ?? (() => undefined);
  const interpolate = options.interpolate !== false;
  let total = 0;
  const expand = (body: string, key: string): string => (interpolate ? expandValue(body, key, lookup, unset, fail) : body);
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const unset: string[] = [];
  const lookup: VariableLookup = (name) => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : outer(name));
  const source = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  let pos = 0;
  let line = 1;
  const fail = (detail: string, at = line): never => {
    throw new FileError(`${file}:${at}`, detail);
  };
  while (pos < source.length) {
    let end = source.indexOf('\n', pos);
    if (end < 0) end = source.length;
    const startLine = line;
    let raw = source.slice(pos, end);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = end + 1;
      line++;
      continue;
    }
    raw = raw.replace(/^\s*export\s+/, '').replace(/^\s+/, '');
    const sep = (options.strict ? /=/ : /[=:]/).exec(raw);
    const key = (sep ? raw.slice(0, sep.index) : raw).trim();
    // The line itself is never quoted: it may be a secret (a password pasted without its NAME=).
    if (options.strict && (!sep || !STRICT_KEY.test(key))) {
      fail(`this line must be NAME=value${sep ? ', and the text before = is not a variable name' : ''}.`);
    }
    if (!KEY.test(key)) fail('this line does not start with a valid variable name (a line is KEY=value).');
    if (!sep) {
      const inherited = outer(key);
      if (inherited !== undefined) values[key] = inherited;
      pos = end + 1;
      line++;
      continue;
    }
    let value: string;
    const afterSep = raw.slice(sep.index + 1).replace(/^[ \t]+/, '');
    const valueStart = end - afterSep.length;
    if (options.format === 'raw') {
      value = afterSep;
    } else if (afterSep.startsWith("'") || afterSep.startsWith('"')) {
      const quote = afterSep[0];
      let i = valueStart + 1;
      let body = '';
      for (;;) {
        if (i >= source.length)
          fail(`the value of ${key} opens a ${quote === '"' ? 'double' : 'single'} quote that is never closed.`, startLine);
        const c = source[i];
        if (c === quote) break;
        if (c === '\n') line++;
        if (quote === '"' && c === '\\' && i + 1 < source.length) {
          const n = source[i + 1];
          body += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n === '$' && interpolate ? '$$' : n;
          i += 2;
          continue;
        }
        body += quote === "'" && c === '$' ? '$$' : c;
        i++;
      }
      end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      const tail = source.slice(i + 1, end).trim();
      if (tail !== '' && !tail.startsWith('#')) fail(`the value of ${key} has text after its closing quote.`);
      value = quote === "'" ? body.replace(/\$\$/g, '$') : expand(body, key);
    } else {
      const comment = /\s#/.exec(afterSep);
      value = expand((comment ? afterSep.slice(0, comment.index) : afterSep).trim(), key);
    }
    values[key] = value;
    total += value.length;
    if (total > MAX_EXPANDED_TOTAL_CHARS)
      fail(`the values of this file grow past ${MAX_EXPANDED_TOTAL_CHARS / (1024 * 1024)} Mi characters through expansion.`);
    pos = end + 1;
    line++;
  }
  const ordered: Record<string, string> = {};
  for (const key of Object.keys(values)) setKey(ordered, key, values[key]);
  return { values: ordered, unset };
}

function expandValue(text: string, key: string, lookup: VariableLookup, unset: string[], fail: (d: string) => never): string {
  try {
    const result = interpolateString(text, lookup);
    for (const name of result.unset) if (!unset.includes(name)) unset.push(name);
    return result.value;
  } catch (err) {
    if (err instanceof InterpolationError) return fail(`the value of ${key}: ${err.message}`);
    throw err;
  }
}
