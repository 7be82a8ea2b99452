import { expandMacros } from './agent/macros';
import { ExpressionError } from './expression-parser';
import { compileCondition, evaluate, toText, type Value } from './expression-eval';

/** One variable as the run holds it. */
export interface Variable {
  name: string;
  value: string;
  secret: boolean;
  readonly: boolean;
}

/** A step tried to change a read-only variable. */
export class VariableError extends Error {
  constructor(readonly variable: string) {
    super(`The step tried to set the read-only variable '${variable}'; it keeps its value.`);
  }
}

/**
 * The variables a step sees: names are case-insensitive (as on the agent), secrets are kept apart
 * so that they reach a task only as SECRET_… and a script only through `env:`. A job's store is a
 * child of its stage's, which is a child of the pipeline's: what a step sets stays in its job.
 */
export class VariableStore {
  private readonly own = new Map<string, Variable>();

  constructor(private readonly parent?: VariableStore) {}

  /** A store whose lookups fall back to this one and whose writes stay in it. */
  child(): VariableStore {
    return new VariableStore(this);
  }

  /** The variable, from this store or its parents. */
  get(name: string): Variable | undefined {
    return this.own.get(name.toLowerCase()) ?? this.parent?.get(name);
  }

  /** The value, for `$(name)` and `variables.name`. */
  value(name: string): string | undefined {
    return this.get(name)?.value;
  }

  /**
   * Sets a variable. A read-only one cannot be changed by a step (its message names it); the
   * pipeline's own definitions (`define`) may.
   */
  set(name: string, value: string, options: { secret?: boolean; readonly?: boolean; define?: boolean } = {}): void {
    const existing = this.get(name);
    if (existing?.readonly && !options.define) throw new VariableError(existing.name);
    this.own.set(name.toLowerCase(), {
      name: existing?.name ?? name,
      value,
      secret: options.secret ?? existing?.secret ?? false,
      readonly: options.readonly ?? false,
    });
  }

  /** Every variable visible here, children's values over parents'. */
  all(): Variable[] {
    const merged = new Map<string, Variable>();
    for (const v of this.parent?.all() ?? []) merged.set(v.name.toLowerCase(), v);
    for (const [k, v] of this.own) merged.set(k, v);
    return [...merged.values()];
  }

  /** The plain and the secret variables as name → value records, for a task run. */
  split(): { variables: Record<string, string>; secrets: Record<string, string> } {
    const variables: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const v of this.all()) (v.secret ? secrets : variables)[v.name] = v.value;
    return { variables, secrets };
  }

  /** Expands `$(name)` macros in `text` (secrets too: the caller masks what it prints). */
  expand(text: string): string {
    return expandMacros(text, (name) => this.value(name));
  }

  /**
   * The value a YAML variable definition gets: macros expanded against what is defined so far,
   * and a whole-value runtime expression `$[ … ]` evaluated (`roots` answers `dependencies` and the like).
   */
  resolveDefinition(value: string, roots: (name: string) => Value | undefined = () => undefined): string {
    const runtime = /^\s*\$\[(.*)\]\s*$/s.exec(value);
    if (!runtime) return this.expand(value);
    const expression = compileCondition(runtime[1]);
    return toText(
      evaluate(expression, {
        variable: (name) => this.value(name),
        root: roots,
        status: () => {
          throw new ExpressionError('status functions cannot be used in a variable.');
        },
      }),
    );
  }
}
