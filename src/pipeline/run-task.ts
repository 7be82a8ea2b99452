import { CancelledError, OuterloopError, describeError } from '../common/errors';
import { NodeProcessRunner } from '../process/runner';
import type { TaskContext } from './interfaces';
import { TaskLibEnvironment, TaskLibOutput, completeTask, guardAgentStreams } from './task-lib';

/**
 * The error boundary of a task: builds the real ports, runs `body`, and sets the one result.
 * A typed error becomes its own message; anything else is reported as an internal error, with the
 * stack at debug level only. `body` returns the success message.
 */
export async function runTask(body: (context: TaskContext) => Promise<string>): Promise<void> {
  guardAgentStreams();
  const output = new TaskLibOutput();
  const controller = new AbortController();
  let cancelledBy: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancelledBy) return;
    cancelledBy = signal;
    output.info(`Received ${signal}: cleaning up before exiting.`);
    controller.abort(new CancelledError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const message = await body({
      env: new TaskLibEnvironment(),
      output,
      runner: new NodeProcessRunner(),
      signal: controller.signal,
      clock: Date.now,
    });
    if (cancelledBy) completeTask(true, new CancelledError(cancelledBy).message);
    else completeTask(false, message);
  } catch (err) {
    if (err instanceof OuterloopError) {
      completeTask(true, cancelledBy ? new CancelledError(cancelledBy).message : err.message);
    } else {
      output.debug(err instanceof Error && err.stack ? err.stack : String(err));
      completeTask(true, `Internal error in outerloop (please report it): ${describeError(err)}`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
