import type { InputReader } from '../pipeline/inputs';
import { InputError } from '../common/errors';

/** ComposeToK8s@1's inputs, validated. */
export interface ComposeToK8sInputs {
  action: 'deploy' | 'render';
  composeFiles: string[];
}

/** Reads and validates ComposeToK8s@1's inputs: the only place this task reads inputs. */
export function readComposeToK8sInputs(inputs: InputReader): ComposeToK8sInputs {
  const composeFiles = inputs.list('composeFiles', { commas: false });
  if (composeFiles.length === 0) throw new InputError('composeFiles', 'is required: the compose files to convert, one per line.');
  return { action: inputs.pick('action', ['deploy', 'render'] as const, 'deploy'), composeFiles };
}
