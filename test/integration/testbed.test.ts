import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { detectDockerTools } from '../../src/docker/tools';
import { withDockerLogin } from '../../src/docker/docker-config';
import { ToolError } from '../../src/common/errors';
import { NodeProcessRunner } from '../../src/process/runner';
import type { PipelineOutput } from '../../src/pipeline/interfaces';
import { requireTestBed, type TestBed } from '../support/testbed';

const silent = { write: () => undefined };
const output: PipelineOutput = {
  info: () => undefined, warning: () => undefined, debug: () => undefined, setSecret: () => undefined,
  setOutput: () => undefined, uploadArtifact: () => undefined, publishTestResults: () => undefined,
};

describe('the test bed (real engine, real registries)', function () {
  let bed: TestBed;
  const runner = new NodeProcessRunner(silent);
  before(function () {
    bed = requireTestBed(this);
  });

  it('has an engine, the base image, and Compose detected rather than assumed', async () => {
    const tools = await detectDockerTools(runner, bed.env);
    assert.ok(tools.serverVersion, 'the engine answers');
    assert.ok(tools.compose, 'docker compose or docker-compose is found');
    const inspect = await runner.exec('docker', ['image', 'inspect', '--format', '{{.Id}}', bed.baseImage], { env: bed.env, quiet: true });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  });

  it('logs in to the htpasswd registry through a temporary DOCKER_CONFIG, and refuses a wrong password', async () => {
    let dir = '';
    const ref = `${bed.authRegistry}/outerloop-test/testbed:login-${process.pid}`;
    try {
      await withDockerLogin({ runner, output }, [{ registry: bed.authRegistry, username: bed.authUser, password: bed.authPassword }], { tempRoot: tmpdir() }, async (d) => {
        dir = d ?? '';
        await runner.exec('docker', ['tag', bed.baseImage, ref], { env: bed.env, quiet: true });
        const push = await runner.exec('docker', ['--config', dir, 'push', ref], { env: bed.env, quiet: true });
        assert.equal(push.code, 0, push.stderr);
      });
    } finally {
      await runner.exec('docker', ['rmi', ref], { env: bed.env, quiet: true });
    }
    assert.ok(dir && !existsSync(dir), 'the temporary config is gone');
    await assert.rejects(
      withDockerLogin({ runner, output }, [{ registry: bed.authRegistry, username: bed.authUser, password: 'wrong' }], { tempRoot: tmpdir() }, async () => undefined),
      (err: unknown) => err instanceof ToolError && err.message.startsWith(`docker login to ${bed.authRegistry} as ${bed.authUser} failed`),
    );
  });
});
