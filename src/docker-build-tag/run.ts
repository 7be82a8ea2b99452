import { NotImplementedError } from '../common/errors';
import type { TaskContext } from '../pipeline/run-task';
import type { DockerBuildTagInputs } from './inputs';

/** Runs DockerBuildTag@1 with validated inputs. */
export async function runDockerBuildTag(_inputs: DockerBuildTagInputs, _context: TaskContext): Promise<string> {
  throw new NotImplementedError('DockerBuildTag@1 is not implemented yet: its inputs are valid, but this version cannot run it.');
}
