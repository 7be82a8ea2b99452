import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { ToolError } from '../../../src/common/errors';
import { ComposeCli } from '../../../src/compose-test/compose';
import type { ProcessRunner } from '../../../src/process/runner';

const PROJECT = { compose: { version: 1 as const, file: 'docker-compose', args: [] }, projectName: 'shop-1', files: ['docker-compose.yml'] };

describe('ComposeCli', () => {
  it('a failed command is a ToolError with Compose reason, a logging command in it neutralized', async () => {
    const exec = sinon.stub().resolves({ code: 1, stdout: '', stderr: 'Creating x ...\nERROR: pull access denied ##vso[task.complete result=Succeeded]\n' });
    const compose = new ComposeCli({ exec } as unknown as ProcessRunner, PROJECT, { cwd: '/app', env: {} });
    await assert.rejects(compose.up([]), (e: unknown) =>
      e instanceof ToolError && e.message === 'Compose could not start the app: pull access denied ##~vso[task.complete result=Succeeded]');
    assert.deepEqual(exec.firstCall.args.slice(0, 2), ['docker-compose', ['-p', 'shop-1', '-f', 'docker-compose.yml', 'up', '-d', '--no-build']]);
  });

  it('run returns the test service exit code, never an error', async () => {
    const exec = sinon.stub().resolves({ code: 4, stdout: '', stderr: '' });
    const compose = new ComposeCli({ exec } as unknown as ProcessRunner, PROJECT, { cwd: '/app', env: {} });
    assert.equal(await compose.run('tests'), 4);
  });
});
