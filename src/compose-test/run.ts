import { NotImplementedError } from '../common/errors';
import type { TaskContext } from '../pipeline/run-task';
import type { ComposeTestInputs } from './inputs';

/** Runs ComposeTest@1 with validated inputs. */
export async function runComposeTest(_inputs: ComposeTestInputs, _context: TaskContext): Promise<string> {
  throw new NotImplementedError('ComposeTest@1 is not implemented yet: its inputs are valid, but this version cannot run it.');
}
