import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { RunOutputs } from '../../../src/local-run/run-outputs';

describe('RunOutputs.display (where a run says it kept things)', () => {
  const sources = '/work/app';
  const kept = join(sources, '.outerloop', 'artifacts', 'image-digests');

  const cases: Array<{ what: string; cwd?: string; expected: string }> = [
    { what: 'run from the work tree: relative to it', cwd: sources, expected: '.outerloop/artifacts/image-digests' },
    { what: 'no folder given: relative to the work tree', expected: '.outerloop/artifacts/image-digests' },
    {
      what: 'run from a subfolder of the work tree: relative to where the user stands',
      cwd: join(sources, 'examples'),
      expected: '../.outerloop/artifacts/image-digests',
    },
    { what: 'run from outside the work tree (--sources elsewhere): absolute', cwd: '/home/me', expected: kept },
  ];
  for (const { what, cwd, expected } of cases) {
    it(what, () => {
      assert.equal(new RunOutputs(join(sources, '.outerloop'), sources, cwd).display(kept), expected);
    });
  }
});

describe('RunOutputs.addAttachment (task.addattachment, task.uploadsummary)', () => {
  it('keeps attachments by type and name, numbers repeats, remembers summaries and empties them on reset', async () => {
    const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { existsSync } = await import('node:fs');
    const root = await mkdtemp(join(tmpdir(), 'outerloop-collect-'));
    try {
      const outputs = new RunOutputs(join(root, '.outerloop'), root);
      await writeFile(join(root, 'r.json'), '{"task":"PushDigest"}\n');
      await writeFile(join(root, 'PushDigest.md'), '### PushDigest: 1 image\n');
      const first = await outputs.addAttachment('outerloop.result', 'push-digest', 'r.json');
      const second = await outputs.addAttachment('outerloop.result', 'push-digest', join(root, 'r.json'));
      await outputs.addAttachment('DistributedTask.Core.Summary', '', 'PushDigest.md');
      assert.deepEqual(
        [first, second],
        [
          { file: join(root, '.outerloop', 'attachments', 'outerloop.result', 'push-digest') },
          { file: join(root, '.outerloop', 'attachments', 'outerloop.result', '2-push-digest') },
        ],
      );
      assert.equal(
        await readFile(join(root, '.outerloop', 'attachments', 'outerloop.result', 'push-digest'), 'utf8'),
        '{"task":"PushDigest"}\n',
      );
      assert.deepEqual(outputs.summaries, [{ markdown: '### PushDigest: 1 image\n' }]);
      assert.deepEqual(await outputs.addAttachment('outerloop.result', 'x', 'missing.json'), {
        problem: "attachment 'outerloop.result/x': 'missing.json' does not exist.",
      });
      assert.deepEqual(await outputs.addAttachment('../up', 'x', 'r.json'), {
        problem: "attachment '../up/x': not a valid folder or file name.",
      });
      await outputs.reset();
      assert.ok(!existsSync(join(root, '.outerloop', 'attachments')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
