import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, runVsixTask } from '../support/task-harness';
import { unpackedVsix, vsixTaskDir } from '../support/vsix';
import { ROOT } from '../support/paths';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const [, minor, patch] = pkg.version.split('.').map(Number);

/** For each task: an input whose absence fails the task, named in the message. */
const REQUIRED: Array<[folder: string, input: string, inputs: Record<string, string>]> = [
  ['docker-build-tag', 'repository', {}],
  ['compose-test', 'composeFiles', { composeFiles: ' ' }],
  ['push-digest', 'images', {}],
  ['compose-to-k8s', 'composeFiles', { composeFiles: '' }],
];

describe('the packaged tasks (run from the unpacked .vsix, as the agent runs them)', () => {
  it('carry one bundle each, a stamped task.json and an icon, and no node_modules', async () => {
    const dir = await unpackedVsix();
    assert.ok(!existsSync(join(dir, 'node_modules')));
    for (const [folder] of REQUIRED) {
      const taskDir = await vsixTaskDir(folder);
      for (const f of ['index.js', 'task.json', 'icon.png']) assert.ok(existsSync(join(taskDir, f)), `${folder}/${f}`);
      assert.ok(!existsSync(join(taskDir, 'node_modules')), `${folder} has no node_modules`);
      const manifest = JSON.parse(readFileSync(join(taskDir, 'task.json'), 'utf8')) as { version: Record<string, number> };
      assert.deepEqual(manifest.version, { Major: 1, Minor: minor, Patch: patch });
    }
  });

  for (const [folder, input, inputs] of REQUIRED) {
    it(`${folder}: a missing '${input}' fails with one clear sentence naming it, and no stack trace`, async () => {
      const run = await runVsixTask(folder, { inputs });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.match(run.message ?? '', new RegExp(`^Input '${input}' is required`), describeRun(run));
      assert.ok(!/\n\s+at /.test(run.output), `no stack trace in the output\n${describeRun(run)}`);
      assert.ok(!/Unhandled|Internal error/.test(run.output), describeRun(run));
    });
  }

  it('a pick-list input of the wrong shape names the input and the allowed values', async () => {
    const run = await runVsixTask('compose-to-k8s', { inputs: { action: 'destroy' } });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.equal(run.message, "Input 'action' must be one of deploy, render, chart, not 'destroy'.");
  });
});
