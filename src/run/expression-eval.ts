import { ExpressionError, parseExpression, type Expression } from './expression-parser';

/** A value inside an expression. */
export type Value = string | number | boolean | null;

/** The status functions a condition can call, answered by whoever evaluates the condition. */
export type StatusFunction = 'succeeded' | 'failed' | 'succeededorfailed' | 'always' | 'canceled';

/** What a condition can see. */
export interface ConditionContext {
  /** A variable's value, or undefined when it is not defined (which reads as null). */
  variable(name: string): string | undefined;
  /** The status functions; `names` are the job or stage names passed as arguments, if any. */
  status(fn: StatusFunction, names: string[]): boolean;
}

const STATUS: readonly string[] = ['succeeded', 'failed', 'succeededorfailed', 'always', 'canceled'];

/** Conversion to boolean, as the Azure Pipelines expression engine does it. */
export function toBoolean(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  return false;
}

/** Conversion to string: booleans as True/False, null as ''. */
export function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function toNumber(value: Value): number | undefined {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  if (trimmed === '') return 0;
  const n = Number(trimmed);
  return Number.isNaN(n) ? undefined : n;
}

/** Converts `value` to the type of `like`; undefined when it cannot be. */
function convertLike(like: Value, value: Value): Value | undefined {
  if (typeof like === 'string') return toText(value);
  if (typeof like === 'number') return toNumber(value);
  if (typeof like === 'boolean') return toBoolean(value);
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
  if (r === undefined || r === null || left === null) throw new ExpressionError(`${name}() cannot compare '${toText(left)}' with '${toText(right)}'.`);
  if (typeof left === 'string') return left.toLowerCase() < String(r).toLowerCase() ? -1 : left.toLowerCase() > String(r).toLowerCase() ? 1 : 0;
  return Number(left) - Number(r);
}

const ARITY: Record<string, [min: number, max: number]> = {
  and: [2, Infinity], or: [2, Infinity], not: [1, 1], xor: [2, 2],
  eq: [2, 2], ne: [2, 2], gt: [2, 2], ge: [2, 2], lt: [2, 2], le: [2, 2],
  in: [1, Infinity], notin: [1, Infinity],
  contains: [2, 2], startswith: [2, 2], endswith: [2, 2],
  coalesce: [1, Infinity], lower: [1, 1], upper: [1, 1],
};

/** Checks function names and argument counts, so a typo fails before anything runs. */
export function checkExpression(expression: Expression): void {
  if (expression.kind !== 'call') return;
  if (STATUS.includes(expression.name)) {
    for (const arg of expression.args) {
      if (arg.kind !== 'literal' || typeof arg.value !== 'string') throw new ExpressionError(`${expression.name}() takes job or stage names as quoted strings.`);
    }
    return;
  }
  const arity = ARITY[expression.name];
  if (!arity) throw new ExpressionError(`'${expression.name}' is not a function outerloop run knows (it knows ${[...Object.keys(ARITY), ...STATUS].join(', ')}).`);
  if (expression.args.length < arity[0] || expression.args.length > arity[1]) {
    const want = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} to ${arity[1]}`;
    throw new ExpressionError(`${expression.name}() takes ${want} argument${want === '1' ? '' : 's'}, not ${expression.args.length}.`);
  }
  expression.args.forEach(checkExpression);
}

/** Parses and checks a condition without evaluating it. */
export function compileCondition(text: string): Expression {
  const expression = parseExpression(text);
  checkExpression(expression);
  return expression;
}

/** Evaluates an expression. */
export function evaluate(expression: Expression, context: ConditionContext): Value {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'variable':
      return context.variable(expression.name) ?? null;
    case 'call':
      return call(expression.name, expression.args, context);
  }
}

function call(name: string, args: Expression[], context: ConditionContext): Value {
  const value = (i: number): Value => evaluate(args[i], context);
  const text = (i: number): string => toText(value(i)).toLowerCase();
  if (STATUS.includes(name)) {
    return context.status(name as StatusFunction, args.map((a) => toText(evaluate(a, context))));
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
    default:
      throw new ExpressionError(`'${name}' is not a function outerloop run knows.`);
  }
}

/** Evaluates a condition to true or false. */
export function evaluateCondition(expression: Expression, context: ConditionContext): boolean {
  return toBoolean(evaluate(expression, context));
}
