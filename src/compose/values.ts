import { FileError } from '../common/errors';
import { listToMapping } from './merge';
import { formatPath, isMapping, setKey, type KeyPath } from './paths';
import { SyntaxProblem, splitShellWords } from './syntax';
import { parseByteSize, parseDuration } from './units';

/**
 * Reading compose values into typed ones (numbers, booleans, durations, sizes, lists, KEY=VALUE
 * mappings, commands), with errors that name the file:line:column and the key path. Values may be
 * strings after interpolation (`replicas: "${N}"`), as Compose allows.
 */
export class ValueReader {
  constructor(private readonly locateKey: (path: KeyPath) => string) {}

  fail(path: KeyPath, detail: string): never {
    throw new FileError(this.locateKey(path), `${formatPath(path)} ${detail}`);
  }

  str(value: unknown): string {
    return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  }

  int(value: unknown, path: KeyPath): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value).trim()) ? Number(String(value).trim()) : NaN;
    if (!Number.isInteger(n)) this.fail(path, `must be a whole number, not '${String(value)}'.`);
    return n;
  }

  num(value: unknown, path: KeyPath): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
    if (!Number.isFinite(n)) this.fail(path, `must be a number, not '${String(value)}'.`);
    return n;
  }

  bool(value: unknown, path: KeyPath): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    if (['true', 'yes', 'y', 'on', '1'].includes(text)) return true;
    if (['false', 'no', 'n', 'off', '0'].includes(text)) return false;
    return this.fail(path, `must be true or false, not '${String(value)}'.`);
  }

  duration(value: unknown, path: KeyPath): number | undefined {
    if (value === undefined || value === null) return undefined;
    const ms = parseDuration(value);
    if (ms === undefined) this.fail(path, `must be a duration such as 30s or 1m30s, not '${String(value)}'.`);
    return ms;
  }

  bytes(value: unknown, path: KeyPath): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const n = parseByteSize(value);
    if (n === undefined) this.fail(path, `must be a size such as 512m or 1g, not '${String(value)}'.`);
    return n;
  }

  strings(value: unknown, path: KeyPath): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return [this.str(value)];
    return value.map((v, i) => {
      if (v !== null && typeof v === 'object') this.fail([...path, i], 'must be a plain value.');
      return this.str(v);
    });
  }

  /** `KEY=VALUE` list or mapping → mapping of strings (null stays null). */
  mapping(value: unknown, key: string): Record<string, string | null> {
    const map = Array.isArray(value) ? listToMapping(key, value) : isMapping(value) ? value : {};
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(map)) setKey(out, k, v === null || v === undefined ? null : this.str(v));
    return out;
  }

  labels(value: unknown, key: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.mapping(value, key))) setKey(out, k, v ?? '');
    return out;
  }

  command(value: unknown, path: KeyPath): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return this.syntax(path, () => splitShellWords(value));
    return this.strings(value, path);
  }

  syntax<T>(path: KeyPath, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof SyntaxProblem) this.fail(path, `is not valid: ${err.message}.`);
      throw err;
    }
  }
}
