import { NotImplementedError } from '../common/errors';
import type { TaskContext } from '../pipeline/run-task';
import type { PushDigestInputs } from './inputs';

/** Runs PushDigest@1 with validated inputs. */
export async function runPushDigest(_inputs: PushDigestInputs, _context: TaskContext): Promise<string> {
  throw new NotImplementedError('PushDigest@1 is not implemented yet: its inputs are valid, but this version cannot run it.');
}
