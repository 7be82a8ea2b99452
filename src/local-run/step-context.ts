import type { EndpointSpec } from './agent/task-process';
import type { SecretMasker } from './secret-masker';
import type { StepResult } from './report';
import type { LineSink, StepEffects } from './step-output';
import type { VariableStore } from './variable-store';

/** What the engine gives a step runner. */
export interface StepRunContext {
  /** The job's variables (read only here; the engine applies what the step sets). */
  variables: VariableStore;
  /** The environment every step starts from (this process's, with PATH additions). */
  baseEnv: NodeJS.ProcessEnv;
  /** System.DefaultWorkingDirectory. */
  sourcesDir: string;
  /** Agent.TempDirectory: where script files are written (and removed). */
  tempDir: string;
  endpoints: EndpointSpec[];
  masker: SecretMasker;
  sink: LineSink;
  debug: boolean;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** How a step that ran ended. */
export interface StepOutcome {
  result: Exclude<StepResult, 'Skipped'>;
  message?: string;
  effects: StepEffects;
}

/** The result and message when the process was stopped early, if it was. */
export function stoppedOutcome(
  watch: { cancelled: boolean; timedOut: boolean },
  timeoutMs: number | undefined,
): Pick<StepOutcome, 'result' | 'message'> | undefined {
  if (watch.cancelled) return { result: 'Canceled', message: 'The run was cancelled.' };
  if (watch.timedOut)
    return {
      result: 'Failed',
      message: `The step timed out after ${Number(((timeoutMs ?? 0) / 60_000).toFixed(2))} minutes (timeoutInMinutes).`,
    };
  return undefined;
}
