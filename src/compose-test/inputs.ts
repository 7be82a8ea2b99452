import type { InputReader } from '../pipeline/inputs';
import { InputError } from '../common/errors';

/** ComposeTest@1's inputs, validated. */
export interface ComposeTestInputs {
  composeFiles: string[];
  testCommand?: string;
}

/** Reads and validates ComposeTest@1's inputs: the only place this task reads inputs. */
export function readComposeTestInputs(inputs: InputReader): ComposeTestInputs {
  const composeFiles = inputs.list('composeFiles', { commas: false });
  if (composeFiles.length === 0) throw new InputError('composeFiles', 'is required: the compose files to bring up, one per line.');
  return { composeFiles, testCommand: inputs.string('testCommand') };
}
