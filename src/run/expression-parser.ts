/**
 * The condition language of Azure Pipelines (`eq(variables['x'], 'y')`), parsed into a small tree.
 * Only what a local run can evaluate is accepted: literals, `variables.x` / `variables['x']`, and
 * function calls. Anything else (`dependencies.…`, `parameters.…`, template syntax) is named as
 * unsupported rather than silently evaluated to something.
 */

/** A parsed expression. */
export type Expression =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'variable'; name: string }
  | { kind: 'call'; name: string; args: Expression[] };

/** A condition that does not parse; `detail` is one sentence, the caller adds where it came from. */
export class ExpressionError extends Error {}

type Token =
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'word'; value: string; at: number }
  | { type: 'punct'; value: '(' | ')' | ',' | '[' | ']' | '.'; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ExpressionError(`a string starting at column ${i + 1} is not closed with '.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      const raw = m ? m[0] : c;
      tokens.push({ type: 'number', value: Number(raw), at: i });
      i += raw.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
      const raw = m ? m[0] : c;
      tokens.push({ type: 'word', value: raw, at: i });
      i += raw.length;
    } else if ('(),[].'.includes(c)) {
      tokens.push({ type: 'punct', value: c as '(' | ')' | ',' | '[' | ']' | '.', at: i });
      i++;
    } else {
      throw new ExpressionError(`unexpected character '${c}' at column ${i + 1}.`);
    }
  }
  return tokens;
}

const UNSUPPORTED_ROOTS: Record<string, string> = {
  dependencies: 'dependencies.<job>.outputs (output variables across jobs)',
  stagedependencies: 'stageDependencies (output variables across stages)',
  parameters: 'template parameters',
  pipeline: 'pipeline.* (workspace properties)',
  resources: 'resources.*',
};

/** Parses one condition; throws {@link ExpressionError} with a one-sentence reason. */
export function parseExpression(text: string): Expression {
  if (/\$\{\{|\$\[/.test(text)) throw new ExpressionError('template (${{ }}) and runtime ($[ ]) syntax is not supported inside a condition; write the expression alone.');
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const where = (t: Token | undefined): string => (t ? `at column ${t.at + 1}` : 'at the end');
  const expectPunct = (value: string): void => {
    const t = tokens[pos];
    if (!t || t.type !== 'punct' || t.value !== value) throw new ExpressionError(`expected '${value}' ${where(t)}.`);
    pos++;
  };

  const parseVariableAccess = (): Expression => {
    const parts: string[] = [];
    for (;;) {
      const t = peek();
      if (t?.type === 'punct' && t.value === '.') {
        pos++;
        const name = tokens[pos];
        if (!name || name.type !== 'word') throw new ExpressionError(`expected a variable name after '.' ${where(name)}.`);
        parts.push(name.value);
        pos++;
      } else if (t?.type === 'punct' && t.value === '[') {
        pos++;
        const key = tokens[pos];
        if (!key || key.type !== 'string') throw new ExpressionError(`expected a quoted variable name after '[' ${where(key)}.`);
        parts.push(key.value);
        pos++;
        expectPunct(']');
      } else {
        break;
      }
    }
    if (parts.length === 0) throw new ExpressionError(`'variables' needs a name: variables.name or variables['name'].`);
    return { kind: 'variable', name: parts.join('.') };
  };

  const parseOne = (): Expression => {
    const t = tokens[pos];
    if (!t) throw new ExpressionError('the expression ends too early.');
    pos++;
    if (t.type === 'string' || t.type === 'number') return { kind: 'literal', value: t.value };
    if (t.type === 'punct') throw new ExpressionError(`unexpected '${t.value}' ${where(t)}.`);
    const lower = t.value.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    if (lower === 'variables') return parseVariableAccess();
    if (UNSUPPORTED_ROOTS[lower]) throw new ExpressionError(`${UNSUPPORTED_ROOTS[lower]} cannot be evaluated by outerloop run.`);
    const next = peek();
    if (next?.type !== 'punct' || next.value !== '(') throw new ExpressionError(`'${t.value}' ${where(t)} is not a function call, a literal or variables.name.`);
    pos++;
    const args: Expression[] = [];
    if (peek()?.type === 'punct' && (peek() as Token).value === ')') {
      pos++;
    } else {
      for (;;) {
        args.push(parseOne());
        const sep = tokens[pos];
        if (sep?.type === 'punct' && sep.value === ',') {
          pos++;
          continue;
        }
        expectPunct(')');
        break;
      }
    }
    return { kind: 'call', name: lower, args };
  };

  if (tokens.length === 0) throw new ExpressionError('the condition is empty.');
  const expression = parseOne();
  if (pos < tokens.length) throw new ExpressionError(`unexpected text ${where(tokens[pos])} after the expression.`);
  return expression;
}
