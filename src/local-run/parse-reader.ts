import { FileError, OuterloopError } from '../common/errors';
import { ExpressionError } from './expression-parser';
import { compileCondition, rootsOf } from './expression-eval';
import type { VariableDefinition } from './model';
import { dependencyOrder } from './status';

/**
 * The reading of an expanded pipeline document into the model, shared by parse-pipeline.ts (the
 * pipeline and its stages), parse-jobs.ts and parse-steps.ts: typed access to keys that fails with
 * one sentence naming the key path and the file and line it was written at.
 */

/** A node of the expanded document. */
export type Node = unknown;
/** A mapping of the expanded document. */
export type Mapping = Record<string, Node>;

/** A stage, job or step name: letters, digits and _, not starting with a digit. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `path.key`, or `key` at the top level. */
export function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Typed, located access to the keys of the expanded document. */
export class Reader {
  constructor(
    readonly file: string,
    private readonly locate: (path: string) => string | undefined = () => undefined,
    /** Whether a program is installed (pwsh: steps need it). */
    readonly hasProgram: (name: string) => boolean = () => true,
  ) {}

  fail(path: string, detail: string): never {
    throw new FileError(this.locate(path) ?? this.file, path ? `${path}: ${detail}` : detail);
  }

  mapping(node: Node, path: string): Mapping {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) this.fail(path, 'must be a mapping (key: value).');
    return node as Mapping;
  }

  list(node: Node, path: string): Node[] {
    if (!Array.isArray(node)) this.fail(path, 'must be a list (lines starting with -).');
    return node;
  }

  text(node: Node, path: string): string {
    if (typeof node !== 'string') this.fail(path, 'must be a single value, not a list or a mapping.');
    return node;
  }

  optionalText(m: Mapping, key: string, path: string): string | undefined {
    if (!(key in m)) return undefined;
    const value = this.text(m[key], at(path, key));
    return value.trim() === '' ? undefined : value;
  }

  boolean(m: Mapping, key: string, path: string, fallback: boolean): boolean {
    if (!(key in m)) return fallback;
    const value = this.text(m[key], at(path, key)).trim().toLowerCase();
    if (value === 'true' || value === 'yes' || value === 'on') return true;
    if (value === 'false' || value === 'no' || value === 'off' || value === '') return false;
    this.fail(at(path, key), `must be true or false, not '${value}'.`);
  }

  positiveNumber(m: Mapping, key: string, path: string): number | undefined {
    const raw = this.optionalText(m, key, path);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) this.fail(at(path, key), `must be a number of minutes, not '${raw}'.`);
    return n === 0 ? undefined : n;
  }

  names(m: Mapping, key: string, path: string): string[] | undefined {
    if (!(key in m)) return undefined;
    const node = m[key];
    if (typeof node === 'string') return node.trim() === '' ? [] : [node.trim()];
    return this.list(node, at(path, key)).map((n, i) => this.text(n, `${at(path, key)}[${i}]`).trim());
  }

  condition(m: Mapping, path: string, roots: string[]): string | undefined {
    const condition = this.optionalText(m, 'condition', path);
    if (condition === undefined) return undefined;
    this.checkExpression(condition, `${path}.condition`, roots);
    return condition;
  }

  /** Parses an expression, and checks that it reads only what this level can see. */
  checkExpression(text: string, path: string, roots: string[]): void {
    try {
      const expression = compileCondition(text);
      const root = rootsOf(expression).find((r) => !roots.includes(r));
      if (root !== undefined) {
        const where = roots.length > 0 ? `here (${roots.join(', ')} and variables can)` : `in a step's condition (only variables can)`;
        throw new ExpressionError(`'${root}' cannot be read ${where}`);
      }
    } catch (err) {
      if (err instanceof ExpressionError) this.fail(path, `${err.message.replace(/\.$/, '')} in '${text.trim()}'.`);
      throw err;
    }
  }

  onlyKeys(m: Mapping, path: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(m)) {
      if (!allowed.includes(key))
        this.fail(at(path, key), `is not a key of ${what} that outerloop run knows (it knows ${allowed.join(', ')}).`);
    }
  }

  stringMap(m: Mapping, key: string, path: string): Record<string, string> {
    if (!(key in m) || m[key] === '') return {};
    const source = this.mapping(m[key], at(path, key));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(source)) out[k] = this.text(v, `${path}.${key}.${k}`);
    return out;
  }
}

/** Reads the `variables:` of the pipeline, a stage or a job, in mapping or list form. */
export function readVariables(r: Reader, owner: Mapping, path: string, roots: string[]): VariableDefinition[] {
  if (!('variables' in owner) || owner['variables'] === '') return [];
  const node = owner['variables'];
  const where = at(path, 'variables');
  const checked = (d: VariableDefinition, at_: string): VariableDefinition => {
    const runtime = /^\s*\$\[([\s\S]*)\]\s*$/.exec(d.value);
    if (runtime) r.checkExpression(runtime[1], at_, roots);
    return d;
  };
  if (!Array.isArray(node)) {
    return Object.entries(r.mapping(node, where)).map(([name, value]) =>
      checked({ name, value: r.text(value, `${where}.${name}`), readonly: false }, `${where}.${name}`),
    );
  }
  return node.map((item, i) => {
    const m = r.mapping(item, `${where}[${i}]`);
    if ('group' in m)
      r.fail(
        `${where}[${i}]`,
        `variable groups ('group: ${String(m['group'])}') are not supported by outerloop run; pass their values with --var, --secret or --variables-file.`,
      );
    r.onlyKeys(m, `${where}[${i}]`, ['name', 'value', 'readonly'], 'a variable');
    const name = r.optionalText(m, 'name', `${where}[${i}]`);
    if (!name) r.fail(`${where}[${i}]`, 'a variable needs a name.');
    const value = 'value' in m ? r.text(m['value'], `${where}[${i}].value`) : '';
    return checked({ name: name.trim(), value, readonly: r.boolean(m, 'readonly', `${where}[${i}]`, false) }, `${where}[${i}].value`);
  });
}

/** Names must be unique, dependsOn must name defined ones, and there must be no cycle. */
export function checkDependencies(r: Reader, items: Array<{ name: string; path: string; dependsOn: string[] }>, what: string): void {
  const names = new Set<string>();
  for (const item of items) {
    if (names.has(item.name.toLowerCase())) r.fail(item.path, `${what} name '${item.name}' is used twice.`);
    names.add(item.name.toLowerCase());
  }
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (!names.has(dep.toLowerCase())) r.fail(`${item.path}.dependsOn`, `names ${what} '${dep}', which this file does not define.`);
    }
  }
  try {
    dependencyOrder(items, what, r.file);
  } catch (err) {
    if (err instanceof OuterloopError) throw new FileError(r.file, err.message.slice(r.file.length + 2));
    throw err;
  }
}
