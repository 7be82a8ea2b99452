import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResultFiles } from '../../../src/compose-test/results';

describe('findResultFiles', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outerloop-results-'));
    await mkdir(join(dir, 'out', 'deep'), { recursive: true });
    for (const f of ['out/TEST-a.xml', 'out/deep/TEST-b.xml', 'out/TEST-old.xml', 'out/notes.txt']) await writeFile(join(dir, f), '<x/>');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'out/TEST-old.xml'), hourAgo, hourAgo);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds matches relative to the working directory, leaving older files aside', async () => {
    const found = await findResultFiles('out/**/TEST-*.xml', dir, Date.now() - 60_000);
    assert.deepEqual(found, {
      files: [join(dir, 'out/TEST-a.xml'), join(dir, 'out/deep/TEST-b.xml')].sort(),
      stale: [join(dir, 'out/TEST-old.xml')],
    });
  });

  it('takes absolute globs, and finds nothing without error', async () => {
    assert.deepEqual((await findResultFiles(join(dir, 'out/*.txt'), '/', 0)).files, [join(dir, 'out/notes.txt')]);
    assert.deepEqual(await findResultFiles('none/*.xml', dir, 0), { files: [], stale: [] });
  });
});
