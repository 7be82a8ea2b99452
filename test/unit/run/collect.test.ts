import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { RunOutputs } from '../../../src/run/collect';

describe('RunOutputs.display (where a run says it kept things)', () => {
  const sources = '/work/app';
  const kept = join(sources, '.outerloop', 'artifacts', 'image-digests');

  const cases: Array<{ what: string; cwd?: string; expected: string }> = [
    { what: 'run from the work tree: relative to it', cwd: sources, expected: '.outerloop/artifacts/image-digests' },
    { what: 'no folder given: relative to the work tree', expected: '.outerloop/artifacts/image-digests' },
    { what: 'run from a subfolder of the work tree: relative to where the user stands', cwd: join(sources, 'examples'), expected: '../.outerloop/artifacts/image-digests' },
    { what: 'run from outside the work tree (--sources elsewhere): absolute', cwd: '/home/me', expected: kept },
  ];
  for (const { what, cwd, expected } of cases) {
    it(what, () => {
      assert.equal(new RunOutputs(join(sources, '.outerloop'), sources, cwd).display(kept), expected);
    });
  }
});
