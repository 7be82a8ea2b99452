import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** Where test fixtures live. */
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** The example app and pipeline. */
export const EXAMPLES = join(ROOT, 'examples');
