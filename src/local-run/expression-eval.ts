import { ExpressionError, parseExpression, type Expression } from './expression-parser';

/** A value inside an expression: text, number, boolean, null, or (from parameters and outputs) a sequence or a mapping. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** The status functions a condition can call, answered by whoever evaluates the condition. */
export type StatusFunction = 'succeeded' | 'failed' | 'succeededorfailed' | 'always' | 'canceled';

/** What an expression can see. */
export interface ConditionContext {
  /** A variable's value, or undefined when it is not defined (which reads as null). */
  variable(name: string): string | undefined;
  /** The status functions; `names` are the job or stage names passed as arguments, if any. */
  status(fn: StatusFunction, names: string[]): boolean;
  /**
   * Any other root (`parameters`, `dependencies`, an `each` name…); undefined when the root means
   * nothing here, which fails the expression naming it.
   */
  root?(name: string): Value | undefined;
}

const STATUS: readonly string[] = ['succeeded', 'failed', 'succeededorfailed', 'always', 'canceled'];

function isMapping(value: Value): value is { [key: string]: Value } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Conversion to boolean, as the Azure Pipelines expression engine does it. */
export function toBoolean(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  return value !== null;
}

/** Conversion to string: booleans as True/False, null as ''; a sequence or mapping cannot be text. */
export function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'object') throw new ExpressionError(`a ${Array.isArray(value) ? 'sequence' : 'mapping'} cannot be used as text.`);
  return String(value);
}

function toNumber(value: Value): number | undefined {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'object') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return 0;
  const n = Number(trimmed);
  return Number.isNaN(n) ? undefined : n;
}

/** Converts `value` to the type of `like`; undefined when it cannot be. */
function convertLike(like: Value, value: Value): Value | undefined {
  if (typeof like === 'string') return typeof value === 'object' && value !== null ? undefined : toText(value);
  if (typeof like === 'number') return toNumber(value);
  if (typeof like === 'boolean') return toBoolean(value);
  if (like !== null) return value;
  // null on the left: only null, or what converts to it (''), is equal.
  return value === null || value === '' ? null : undefined;
}

/** eq as Azure Pipelines defines it: the right side converted to the left's type; strings ignore case. */
export function valuesEqual(left: Value, right: Value): boolean {
  const r = convertLike(left, right);
  if (r === undefined) return false;
  if (typeof left === 'string' && typeof r === 'string') return left.toLowerCase() === r.toLowerCase();
  return left === r;
}

function compare(name: string, left: Value, right: Value): number {
  const r = convertLike(left, right);
  if (r === undefined || r === null || left === null || typeof left === 'object')
    throw new ExpressionError(`${name}() cannot compare '${describe(left)}' with '${describe(right)}'.`);
  if (typeof left === 'string')
    return left.toLowerCase() < String(r).toLowerCase() ? -1 : left.toLowerCase() > String(r).toLowerCase() ? 1 : 0;
  return Number(left) - Number(r);
}

function describe(value: Value): string {
  return typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'a sequence' : 'a mapping') : toText(value);
}

/** The functions of the documented expression language, with their argument counts. */
const ARITY: Record<string, [min: number, max: number]> = {
  and: [2, Infinity],
  or: [2, Infinity],
  not: [1, 1],
  xor: [2, 2],
  eq: [2, 2],
  ne: [2, 2],
  gt: [2, 2],
  ge: [2, 2],
  lt: [2, 2],
  le: [2, 2],
  in: [1, Infinity],
  notin: [1, Infinity],
  contains: [2, 2],
  containsvalue: [2, 2],
  startswith: [2, 2],
  endswith: [2, 2],
  coalesce: [1, Infinity],
  lower: [1, 1],
  upper: [1, 1],
  trim: [1, 1],
  format: [1, Infinity],
  join: [2, 2],
  split: [2, 2],
  replace: [3, 3],
  length: [1, 1],
  converttojson: [1, 1],
  iif: [3, 3],
  counter: [0, 2],
};

/** Checks function names and argument counts, so a typo fails before anything runs. */
export function checkExpression(expression: Expression): void {
  if (expression.kind === 'index') {
    checkExpression(expression.target);
    checkExpression(expression.key);
    return;
  }
  if (expression.kind !== 'call') return;
  if (STATUS.includes(expression.name)) {
    for (const arg of expression.args) {
      if (arg.kind !== 'literal' || typeof arg.value !== 'string')
        throw new ExpressionError(`${expression.name}() takes job or stage names as quoted strings.`);
    }
    return;
  }
  const arity = ARITY[expression.name];
  if (!arity)
    throw new ExpressionError(
      `'${expression.name}' is not a function of the expression language (it has ${[...Object.keys(ARITY), ...STATUS].join(', ')}).`,
    );
  if (expression.args.length < arity[0] || expression.args.length > arity[1]) {
    const want = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} to ${arity[1]}`;
    throw new ExpressionError(
      `${expression.name}() takes ${want} argument${want === '1' || want === 'at least 1' ? '' : 's'}, not ${expression.args.length}.`,
    );
  }
  expression.args.forEach(checkExpression);
}

/** Parses and checks an expression without evaluating it. */
export function compileCondition(text: string): Expression {
  const expression = parseExpression(text);
  checkExpression(expression);
  return expression;
}

/** The roots an expression reads (other than `variables`), lower-cased, for checks before a run. */
export function rootsOf(expression: Expression): string[] {
  switch (expression.kind) {
    case 'root':
      return [expression.name.toLowerCase()];
    case 'index':
      return [...rootsOf(expression.target), ...rootsOf(expression.key)];
    case 'call':
      return expression.args.flatMap(rootsOf);
    default:
      return [];
  }
}

/** Evaluates an expression. */
export function evaluate(expression: Expression, context: ConditionContext): Value {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'variable':
      return context.variable(expression.name) ?? null;
    case 'root': {
      const value = context.root?.(expression.name);
      if (value === undefined) throw new ExpressionError(`'${expression.name}' cannot be read here.`);
      return value;
    }
    case 'index':
      return index(evaluate(expression.target, context), evaluate(expression.key, context));
    case 'call':
      return call(expression.name, expression.args, context);
  }
}

/** `value[key]`: mapping keys ignore case, as the service's do; anything missing is null. */
function index(value: Value, key: Value): Value {
  if (Array.isArray(value)) {
    const n = toNumber(key);
    return n !== undefined && Number.isInteger(n) && n >= 0 && n < value.length ? value[n] : null;
  }
  if (!isMapping(value) || typeof key === 'object') return null;
  const name = toText(key);
  if (Object.prototype.hasOwnProperty.call(value, name)) return value[name];
  const lower = name.toLowerCase();
  const found = Object.keys(value).find((k) => k.toLowerCase() === lower);
  return found === undefined ? null : value[found];
}

/** `format('{0}-{1}', a, b)`, with `{{` and `}}` for literal braces. */
function formatText(template: string, args: Value[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)(?::[^}]*)?\}/g, (whole, n: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const i = Number(n);
    if (i >= args.length) throw new ExpressionError(`format() has no argument {${i}}.`);
    return toText(args[i]);
  });
}

function call(name: string, args: Expression[], context: ConditionContext): Value {
  const value = (i: number): Value => evaluate(args[i], context);
  const text = (i: number): string => toText(value(i)).toLowerCase();
  if (STATUS.includes(name)) {
    return context.status(
      name as StatusFunction,
      args.map((a) => toText(evaluate(a, context))),
    );
  }
  switch (name) {
    case 'and':
      return args.every((_, i) => toBoolean(value(i)));
    case 'or':
      return args.some((_, i) => toBoolean(value(i)));
    case 'not':
      return !toBoolean(value(0));
    case 'xor':
      return toBoolean(value(0)) !== toBoolean(value(1));
    case 'eq':
      return valuesEqual(value(0), value(1));
    case 'ne':
      return !valuesEqual(value(0), value(1));
    case 'gt':
      return compare(name, value(0), value(1)) > 0;
    case 'ge':
      return compare(name, value(0), value(1)) >= 0;
    case 'lt':
      return compare(name, value(0), value(1)) < 0;
    case 'le':
      return compare(name, value(0), value(1)) <= 0;
    case 'in':
    case 'notin': {
      const left = value(0);
      const found = args.slice(1).some((_, i) => valuesEqual(left, value(i + 1)));
      return name === 'in' ? found : !found;
    }
    case 'contains':
      return text(0).includes(text(1));
    case 'containsvalue': {
      const collection = value(0);
      const needle = value(1);
      const items = Array.isArray(collection) ? collection : isMapping(collection) ? Object.values(collection) : [];
      return items.some((item) => valuesEqual(needle, item));
    }
    case 'startswith':
      return text(0).startsWith(text(1));
    case 'endswith':
      return text(0).endsWith(text(1));
    case 'coalesce':
      for (let i = 0; i < args.length; i++) {
        const v = value(i);
        if (v !== null && v !== '') return v;
      }
      return null;
    case 'lower':
      return toText(value(0)).toLowerCase();
    case 'upper':
      return toText(value(0)).toUpperCase();
    case 'trim':
      return toText(value(0)).trim();
    case 'format':
      return formatText(
        toText(value(0)),
        args.slice(1).map((_, i) => value(i + 1)),
      );
    case 'join': {
      const separator = toText(value(0));
      const collection = value(1);
      if (Array.isArray(collection)) return collection.map(toText).join(separator);
      return isMapping(collection) ? Object.keys(collection).join(separator) : toText(collection);
    }
    case 'split': {
      const delimiter = toText(value(1));
      return delimiter === '' ? [toText(value(0))] : toText(value(0)).split(delimiter);
    }
    case 'replace':
      return toText(value(0))
        .split(toText(value(1)))
        .join(toText(value(2)));
    case 'length': {
      const v = value(0);
      if (Array.isArray(v)) return v.length;
      if (isMapping(v)) return Object.keys(v).length;
      return toText(v).length;
    }
    case 'converttojson':
      return JSON.stringify(value(0), null, 2);
    case 'iif':
      return toBoolean(value(0)) ? value(1) : value(2);
    case 'counter':
      throw new ExpressionError('counter() is not supported by outerloop run: its value lives on the service.');
    default:
      throw new ExpressionError(`'${name}' is not a function of the expression language.`);
  }
}

/** Evaluates a condition to true or false. */
export function evaluateCondition(expression: Expression, context: ConditionContext): boolean {
  return toBoolean(evaluate(expression, context));
}
