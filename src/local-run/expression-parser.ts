/**
 * The expression language of Azure Pipelines, parsed into a small tree. One grammar serves the
 * three places it is written: conditions (`eq(variables['x'], 'y')`), runtime expressions
 * (`$[ dependencies.A.outputs['s.v'] ]`) and template expressions (`${{ parameters.env }}`). What an
 * expression may read (its roots: `variables`, `parameters`, `dependencies`, …) is decided by the
 * caller that evaluates it, so a root that means nothing where it is written is named, never
 * silently read as empty.
 */

/** A parsed expression. */
export type Expression =
  | { kind: 'literal'; value: string | number | boolean | null }
  /** `variables.a.b` or `variables['a.b']`: one variable, its name the parts joined with dots. */
  | { kind: 'variable'; name: string }
  /** Another root, e.g. `parameters`, `dependencies` or an `each` loop's name. */
  | { kind: 'root'; name: string }
  /** `target.name` or `target['name']` or `target[0]`. */
  | { kind: 'index'; target: Expression; key: Expression }
  | { kind: 'call'; name: string; args: Expression[] };

/** An expression that does not parse or evaluate; one sentence, the caller adds where it came from. */
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
    } else if (c === '$' && (text.startsWith('${{', i) || text[i + 1] === '[')) {
      throw new ExpressionError(
        'template (${{ }}) and runtime ($[ ]) syntax is not supported inside an expression; write the expression alone.',
      );
    } else if ('(),[].'.includes(c)) {
      tokens.push({ type: 'punct', value: c as '(' | ')' | ',' | '[' | ']' | '.', at: i });
      i++;
    } else {
      throw new ExpressionError(`unexpected character '${c}' at column ${i + 1}.`);
    }
  }
  return tokens;
}

/** Parses one expression; throws {@link ExpressionError} with a one-sentence reason. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isPunct = (t: Token | undefined, value: string): boolean => t?.type === 'punct' && t.value === value;
  const where = (t: Token | undefined): string => (t ? `at column ${t.at + 1}` : 'at the end');
  const expectPunct = (value: string): void => {
    const t = tokens[pos];
    if (!isPunct(t, value)) throw new ExpressionError(`expected '${value}' ${where(t)}.`);
    pos++;
  };

  /** `.name`, `['name']` and `[expr]` after a root or a call. */
  const parseAccessors = (target: Expression): Expression => {
    let current = target;
    for (;;) {
      const t = peek();
      if (isPunct(t, '.')) {
        pos++;
        const name = tokens[pos];
        if (!name || name.type !== 'word') throw new ExpressionError(`expected a property name after '.' ${where(name)}.`);
        pos++;
        current = { kind: 'index', target: current, key: { kind: 'literal', value: name.value } };
      } else if (isPunct(t, '[')) {
        pos++;
        const key = parseOne();
        expectPunct(']');
        current = { kind: 'index', target: current, key };
      } else {
        return current;
      }
    }
  };

  /** `variables` chains become one variable name, as the agent reads `variables.a.b`. */
  const parseVariable = (): Expression => {
    const access = parseAccessors({ kind: 'root', name: 'variables' });
    const parts: string[] = [];
    let node = access;
    while (node.kind === 'index') {
      if (node.key.kind !== 'literal' || typeof node.key.value !== 'string')
        throw new ExpressionError(`a variable is named with a quoted string: variables['name'].`);
      parts.unshift(node.key.value);
      node = node.target;
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
    if (lower === 'variables') return parseVariable();
    if (!isPunct(peek(), '(')) return parseAccessors({ kind: 'root', name: t.value });
    pos++;
    const args: Expression[] = [];
    if (isPunct(peek(), ')')) {
      pos++;
    } else {
      for (;;) {
        args.push(parseOne());
        if (isPunct(tokens[pos], ',')) {
          pos++;
          continue;
        }
        expectPunct(')');
        break;
      }
    }
    return parseAccessors({ kind: 'call', name: lower, args });
  };

  if (tokens.length === 0) throw new ExpressionError('the expression is empty.');
  const expression = parseOne();
  if (pos < tokens.length) throw new ExpressionError(`unexpected text ${where(tokens[pos])} after the expression.`);
  return expression;
}
