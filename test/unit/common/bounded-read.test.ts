import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '../../../src/common/errors';
import { readBoundedFile, readBoundedFileSync } from '../../../src/common/fs';
import { MAX_FILE_BYTES } from '../../../src/common/limits';
import { loadComposeProject } from '../../../src/compose/load';
import { renderComposeProject } from '../../../src/k8s/convert';

// Reads are bounded: only regular files up to the size cap are read (stat first); a device, a FIFO
// or a huge file is refused with one sentence, never read forever or into memory.
describe('bounded reads', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'outerloop-bounded-'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    truncateSync((writeFileSync(join(dir, 'huge'), ''), join(dir, 'huge')), MAX_FILE_BYTES + 1);
    writeFileSync(join(dir, 'fine'), 'A=1\n');
    mkdirSync(join(dir, 'folder'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused: Array<[string, () => string, RegExp]> = [
    [
      '/dev/zero',
      () => '/dev/zero',
      /^\/dev\/zero: the thing is not a regular file \(a device, FIFO or socket\): only regular files are read\.$/,
    ],
    ['/dev/urandom', () => '/dev/urandom', /not a regular file/],
    ['a FIFO (no writer: a plain read would wait forever)', () => join(dir, 'fifo'), /not a regular file/],
    ['a file over the cap', () => join(dir, 'huge'), /the thing is 8 MiB, more than the 8 MiB a file may be\.$/],
    ['a folder', () => join(dir, 'folder'), /is a folder, not a file/],
    ['a missing file', () => join(dir, 'missing'), /the thing does not exist\.$/],
  ];
  for (const [name, path, message] of refused) {
    it(`refuses ${name} in one sentence, sync and async`, async () => {
      assert.throws(
        () => readBoundedFileSync(path(), 'thing'),
        (err: unknown) => err instanceof FileError && message.test(err.message),
      );
      await assert.rejects(readBoundedFile(path(), 'thing'), (err: unknown) => err instanceof FileError && message.test(err.message));
    });
  }

  it('reads a regular file', async () => {
    assert.equal(readBoundedFileSync(join(dir, 'fine'), 'thing').toString(), 'A=1\n');
    assert.equal((await readBoundedFile(join(dir, 'fine'), 'thing')).toString(), 'A=1\n');
  });

  // Every place the loader and converter read a file the user names.
  const places: Array<[string, (bad: string) => Record<string, string>, string[]?]> = [
    ['-f', () => ({ 'compose.yaml': 'services: {a: {image: x}}' }), ['BAD']],
    ['.env', () => ({ 'compose.yaml': 'services: {a: {image: x}}' })],
    ['env_file', (bad) => ({ 'compose.yaml': `services: {a: {image: x, env_file: ${JSON.stringify(bad)}}}` })],
    ['label_file', (bad) => ({ 'compose.yaml': `services: {a: {image: x, label_file: ${JSON.stringify(bad)}}}` })],
    ['include', (bad) => ({ 'compose.yaml': `include: [${JSON.stringify(bad)}]\nservices: {a: {image: x}}` })],
    [
      'include env_file',
      (bad) => ({
        'compose.yaml': `include: [{path: inc.yaml, env_file: ${JSON.stringify(bad)}}]\nservices: {a: {image: x}}`,
        'inc.yaml': 'services: {b: {image: y}}',
      }),
    ],
    ['configs', (bad) => ({ 'compose.yaml': `services: {a: {image: x, configs: [c]}}\nconfigs: {c: {file: ${JSON.stringify(bad)}}}` })],
    ['secrets', (bad) => ({ 'compose.yaml': `services: {a: {image: x, secrets: [s]}}\nsecrets: {s: {file: ${JSON.stringify(bad)}}}` })],
  ];
  for (const [place, files, composeFiles] of places) {
    it(`${place} naming /dev/zero, a FIFO or a huge file fails in one sentence`, async () => {
      for (const bad of ['/dev/zero', join(dir, 'fifo'), join(dir, 'huge')]) {
        const project = mkdtempSync(join(dir, 'project-'));
        for (const [name, text] of Object.entries(files(bad))) writeFileSync(join(project, name), text);
        if (place === '.env') execFileSync('ln', ['-s', bad, join(project, '.env')]);
        const source = {
          files: (composeFiles ?? ['compose.yaml']).map((f) => (f === 'BAD' ? bad : f)),
          workingDir: project,
          environment: {},
        };
        await assert.rejects(
          renderComposeProject({ source }),
          (err: unknown) => err instanceof FileError && /not a regular file|more than the 8 MiB/.test(err.message),
          `${place} -> ${bad}`,
        );
        if (place !== 'configs' && place !== 'secrets') assert.throws(() => loadComposeProject(source), FileError);
      }
    });
  }
});
