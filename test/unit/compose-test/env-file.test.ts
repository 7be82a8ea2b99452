import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '../../../src/common/errors';
import { parseEnvFile, readEnvFile } from '../../../src/compose-test/env-file';

describe('env files', () => {
  it('reads NAME=value lines as Compose does', () => {
    const text = '# comment\n\nA=1\nexport B = two words \nC="quoted # not a comment"\nD=\'single\'\nE=\nF=a=b\r\n';
    assert.deepEqual(parseEnvFile(text, 'ci.env'), [
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'quoted # not a comment'],
      ['D', 'single'],
      ['E', ''],
      ['F', 'a=b'],
    ]);
  });

  it('names the file and line of a bad line, never its value', () => {
    assert.throws(
      () => parseEnvFile('A=1\nPASSWORD\n', 'ci.env'),
      (e: unknown) => e instanceof FileError && e.message === 'ci.env:2: this line must be NAME=value.',
    );
    assert.throws(
      () => parseEnvFile('1X=s3cret', 'ci.env'),
      (e: unknown) =>
        e instanceof FileError &&
        e.message === 'ci.env:1: this line must be NAME=value, and the text before = is not a variable name.' &&
        !e.message.includes('s3cret'),
    );
  });

  it('reads a file, and names a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-envfile-'));
    try {
      await writeFile(join(dir, 'ci.env'), 'TAG=1.2\n');
      assert.deepEqual(await readEnvFile(join(dir, 'ci.env')), [['TAG', '1.2']]);
      await assert.rejects(
        readEnvFile(join(dir, 'nope.env')),
        (e: unknown) => e instanceof FileError && e.message === `${join(dir, 'nope.env')}: the env file (input 'envFile') does not exist.`,
      );
      await assert.rejects(
        readEnvFile('/dev/zero'),
        (e: unknown) =>
          e instanceof FileError &&
          e.message ===
            "/dev/zero: the env file (input 'envFile') is not a regular file (a device, FIFO or socket): only regular files are read.",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
