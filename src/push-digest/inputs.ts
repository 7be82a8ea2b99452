import type { InputReader } from '../pipeline/inputs';
import { InputError } from '../common/errors';

/** PushDigest@1's inputs, validated. */
export interface PushDigestInputs {
  images: string[];
}

/** Reads and validates PushDigest@1's inputs: the only place this task reads inputs. */
export function readPushDigestInputs(inputs: InputReader): PushDigestInputs {
  const images = inputs.list('images');
  if (images.length === 0) throw new InputError('images', 'is required: the image references (repo:tag) to push, one per line.');
  return { images };
}
