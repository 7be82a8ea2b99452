import { NotImplementedError } from '../common/errors';
import type { TaskContext } from '../pipeline/run-task';
import type { ComposeToK8sInputs } from './inputs';

/** Runs ComposeToK8s@1 with validated inputs. */
export async function runComposeToK8s(_inputs: ComposeToK8sInputs, _context: TaskContext): Promise<string> {
  throw new NotImplementedError('ComposeToK8s@1 is not implemented yet: its inputs are valid, but this version cannot run it.');
}
