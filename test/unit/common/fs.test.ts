import { strict as assert } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDir, withTempDir } from '../../../src/common/fs';

describe('common/fs folders', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'outerloop-fs-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('withTempDir gives a private folder under the root and removes it after success and after failure', async () => {
    let seen = '';
    const value = await withTempDir(root, 'x-', async (dir) => {
      seen = dir;
      assert.ok(dir.startsWith(join(root, 'x-')));
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      await writeFile(join(dir, 'secret'), 's3cret');
      return 42;
    });
    assert.equal(value, 42);
    assert.ok(!existsSync(seen));
    await assert.rejects(
      withTempDir(root, 'y-', async (dir) => {
        seen = dir;
        await writeFile(join(dir, 'secret'), 's3cret');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(!existsSync(seen));
    assert.deepEqual(await readdir(root), []);
  });

  it('emptyDir leaves an empty folder, whether or not one was there', async () => {
    const dir = join(root, 'a', 'b');
    await emptyDir(dir, { mode: 0o700 });
    assert.deepEqual(await readdir(dir), []);
    await mkdir(join(dir, 'old'));
    await writeFile(join(dir, 'old', 'f'), 'x');
    await emptyDir(dir);
    assert.deepEqual(await readdir(dir), []);
  });
});
