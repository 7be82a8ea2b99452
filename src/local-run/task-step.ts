import { startTask } from './agent/task-process';
import type { TaskStep } from './model';
import { StepOutput } from './step-output';
import { stoppedOutcome, type StepOutcome, type StepRunContext } from './step-context';
import type { CatalogTask } from './task-catalog';
import { watchChild } from './child-control';

const RESULTS = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Canceled', 'Cancelled'];

/**
 * Runs a `task:` step with agent/task-process.ts, exactly as the agent runs a bundled task:
 * inputs (task.json defaults, `$(macros)`), variables, secrets and endpoints in its environment,
 * working directory System.DefaultWorkingDirectory. Its logging commands are interpreted by
 * {@link StepOutput}; its result is the one it set with task.complete, else its exit code.
 */
export async function runTaskStep(step: TaskStep, task: CatalogTask, context: StepRunContext): Promise<StepOutcome> {
  const output = new StepOutput('task', context.masker, context.sink, context.debug);
  const known = task.manifest.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])].map((n) => n.toLowerCase()));
  for (const name of Object.keys(step.inputs)) {
    if (!known.includes(name.toLowerCase())) {
      context.sink({
        kind: 'warning',
        text: `${step.reference} has no input '${name}'; it is ignored (its inputs: ${task.manifest.inputs.map((i) => i.name).join(', ')}).`,
      });
    }
  }
  const { variables, secrets } = context.variables.split();
  const env: NodeJS.ProcessEnv = { ...context.baseEnv };
  for (const [name, value] of Object.entries(step.env)) env[name] = context.variables.expand(value);
  const started = await startTask({
    taskDir: task.dir,
    inputs: step.inputs,
    variables,
    secrets,
    endpoints: context.endpoints,
    cwd: context.sourcesDir,
    baseEnv: env,
    onLine: (line) => output.line(line),
  });
  const watch = watchChild(started.child, { signal: context.signal, timeoutMs: context.timeoutMs });
  try {
    const run = await started.done;
    const stopped = stoppedOutcome(watch, context.timeoutMs);
    if (stopped) return { ...stopped, effects: output.effects };
    const completion = output.effects.completion;
    if (completion && RESULTS.includes(completion.result)) {
      const result = completion.result === 'Cancelled' ? 'Canceled' : (completion.result as StepOutcome['result']);
      return { result, message: completion.message || undefined, effects: output.effects };
    }
    if (run.exitCode === 0) return { result: 'Succeeded', effects: output.effects };
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    return { result: 'Failed', message: `${step.reference} ${how} without setting a result.`, effects: output.effects };
  } finally {
    watch.dispose();
  }
}
