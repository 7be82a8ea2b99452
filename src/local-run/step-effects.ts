import type { RunOutputs } from './run-outputs';
import type { Step } from './model';
import type { OutputLine, StepEffects } from './step-output';
import { VariableError, type VariableStore } from './variable-store';

/** What applying a step's effects needs. */
export interface EffectTargets {
  /** The job's variables. */
  store: VariableStore;
  /** Folders prepended to PATH for the job's later steps (task.prependpath), first first. */
  pathPrefix: string[];
  outputs: RunOutputs;
  /** Where notes and warnings about the effects go. */
  report: (line: OutputLine) => void;
}

/** What the engine must know after applying a step's effects. */
export interface AppliedEffects {
  /** Problems that make a succeeded step SucceededWithIssues, one sentence each. */
  problems: string[];
  /** The new build number, when the step set one. */
  buildNumber?: string;
}

/**
 * Applies what a step asked for with logging commands once it has ended, as the agent does:
 * variables into the job (an output variable of a named step as `name.var`), PATH additions,
 * artifacts into `.outerloop/artifacts/<name>/`, test results into `.outerloop/test-results/`.
 */
export async function applyStepEffects(step: Step, effects: StepEffects, targets: EffectTargets): Promise<AppliedEffects> {
  const problems: string[] = [];
  const problem = (sentence: string): void => {
    problems.push(sentence);
    targets.report({ kind: 'warning', text: sentence });
  };
  for (const v of effects.variables) {
    const name = v.isOutput && step.name ? `${step.name}.${v.name}` : v.name;
    try {
      targets.store.set(name, v.value, { secret: v.isSecret, readonly: v.isReadOnly });
    } catch (err) {
      if (!(err instanceof VariableError)) throw err;
      problem(err.message);
    }
  }
  targets.pathPrefix.unshift(...[...effects.prependPath].reverse());
  if (effects.buildNumber) targets.report({ kind: 'note', text: `build number is now ${effects.buildNumber}` });
  const { outputs } = targets;
  for (const artifact of effects.artifacts) {
    const added = await outputs.addArtifact(artifact.name, artifact.path);
    if ('problem' in added) problem(`Could not keep ${added.problem}`);
    else targets.report({ kind: 'note', text: `artifact '${artifact.name}' kept in ${outputs.display(added.dir)}` });
  }
  for (const published of effects.testResults) {
    const { copied, missing } = await outputs.addTestResults(published.files);
    if (copied.length > 0) {
      const names = copied.map((c) => c.slice(outputs.testResultsDir.length + 1)).join(', ');
      targets.report({
        kind: 'note',
        text: `${published.format} test results kept in ${outputs.display(outputs.testResultsDir)}: ${names}`,
      });
    }
    for (const file of missing) problem(`Test results file '${file}' does not exist.`);
  }
  for (const attachment of effects.attachments) {
    const kept = await outputs.addAttachment(attachment.type, attachment.name, attachment.path);
    if ('problem' in kept) problem(`Could not keep ${kept.problem}`);
  }
  return { problems, buildNumber: effects.buildNumber };
}
