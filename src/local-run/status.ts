import { OuterloopError } from '../common/errors';
import type { StatusFunction } from './expression-eval';
import type { StepResult } from './report';

/**
 * The rules of the status functions (`succeeded()`, `failed()`, …) and of results, as the agent
 * applies them. Pure, so that they are tested as tables. A status function follows one of two
 * rules, as on the agent: in a stage's or job's condition it judges the results of what that stage
 * or job depends on ({@link evaluateStatusOfDependencies}), in a step's condition the job's status so
 * far ({@link evaluateStatusOfJobSoFar}). They differ in succeededOrFailed(): over dependencies it is
 * false when one was skipped or cancelled; in a step it is true unless the run was cancelled.
 */

const SEVERITY: StepResult[] = ['Skipped', 'Succeeded', 'SucceededWithIssues', 'Canceled', 'Failed'];

/** The worse of two results (Failed over Canceled over SucceededWithIssues over Succeeded over Skipped). */
export function worse(a: StepResult, b: StepResult): StepResult {
  return SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b;
}

/** Succeeded, with or without issues. */
export function isSuccess(result: StepResult): boolean {
  return result === 'Succeeded' || result === 'SucceededWithIssues';
}

/**
 * A status function in a stage's or job's condition, by the rule for dependencies: it looks at the
 * results of the stages or jobs named, or of all it depends on when none are named (none at all:
 * succeeded() is true); succeededOrFailed() is false when one of them was skipped or cancelled.
 */
export function evaluateStatusOfDependencies(fn: StatusFunction, results: readonly StepResult[], cancelled: boolean): boolean {
  switch (fn) {
    case 'always':
      return true;
    case 'canceled':
      return cancelled;
    case 'failed':
      return !cancelled && results.some((r) => r === 'Failed');
    case 'succeededorfailed':
      return !cancelled && results.every((r) => r !== 'Skipped' && r !== 'Canceled');
    case 'succeeded':
      return !cancelled && results.every(isSuccess);
  }
}

/**
 * A status function in a step's condition, by the rule for steps: it looks at the job's status so
 * far; succeededOrFailed() is true whatever that status is, unless the run was cancelled.
 */
export function evaluateStatusOfJobSoFar(fn: StatusFunction, jobStatus: StepResult, cancelled: boolean): boolean {
  switch (fn) {
    case 'always':
      return true;
    case 'canceled':
      return cancelled;
    case 'failed':
      return !cancelled && jobStatus === 'Failed';
    case 'succeededorfailed':
      return !cancelled;
    case 'succeeded':
      return !cancelled && isSuccess(jobStatus);
  }
}

/** Orders items so each comes after what it depends on, keeping file order otherwise. */
export function dependencyOrder<T extends { name: string; dependsOn: string[] }>(items: readonly T[], what: string, file: string): T[] {
  const byName = new Map(items.map((i) => [i.name.toLowerCase(), i]));
  const done = new Set<string>();
  const path: T[] = [];
  const ordered: T[] = [];
  const visit = (item: T): void => {
    const key = item.name.toLowerCase();
    if (done.has(key)) return;
    const seen = path.indexOf(item);
    if (seen >= 0) {
      const cycle = [...path.slice(seen), item].map((i) => i.name).join(' → ');
      throw new OuterloopError(`${file}: the ${what}s' dependsOn form a cycle (${cycle}).`);
    }
    path.push(item);
    for (const dep of item.dependsOn) {
      const target = byName.get(dep.toLowerCase());
      if (target) visit(target);
    }
    path.pop();
    done.add(key);
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}
