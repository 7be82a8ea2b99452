import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { detectDockerTools } from '../../src/docker/tools';
import { withDockerLogin } from '../../src/docker/docker-config';
import { DockerCli } from '../../src/docker/engine';
import { ToolError } from '../../src/common/errors';
import { NodeProcessRunner } from '../../src/process/runner';
import type { PipelineOutput } from '../../src/pipeline/interfaces';
import { requireTestBed, type TestBed } from '../support/testbed';

const silent = { write: () => undefined };
const output: PipelineOutput = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  setSecret: () => undefined,
  setOutput: () => undefined,
  uploadArtifact: () => undefined,
  publishTestResults: () => undefined,
  uploadSummary: () => undefined,
  addAttachment: () => undefined,
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

  it('runs the toolchain this run asks for: Docker 26 with Compose v2 and buildx (modern), or Compose v1 and the classic builder (legacy)', async () => {
    const tools = await detectDockerTools(runner, bed.env);
    assert.match(tools.serverVersion ?? '', /^26\./, 'the engine is Docker 26');
    assert.match(tools.clientVersion ?? '', /^26\./, "the CLI is the engine's own");
    // scripts/run-tests.mjs names the toolchain of each run; a plain mocha run takes what it finds.
    const expected = process.env['OUTERLOOP_TEST_TOOLCHAIN'] ?? bed.toolchain;
    assert.equal(bed.toolchain, expected);
    if (expected === 'modern') {
      assert.equal(tools.buildx, true, 'buildx is installed');
      assert.deepEqual(tools.compose, { version: 2, file: 'docker', args: ['compose'] });
    } else {
      assert.equal(tools.buildx, false, 'buildx is out of sight');
      assert.deepEqual(tools.compose, { version: 1, file: 'docker-compose', args: [] });
    }
  });

  it('also listens on tcp://127.0.0.1:2376 with --tlsverify: the client certificate gets in, no certificate does not', async () => {
    const tls = bed.tls;
    assert.ok(tls, 'scripts/test-infra.sh env names the TLS host and certificates');
    const withCert = await runner.exec('docker', ['version', '--format', '{{.Server.Version}}'], {
      env: { ...bed.env, DOCKER_HOST: tls.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.certPath },
      quiet: true,
    });
    assert.equal(withCert.code, 0, withCert.stderr);
    assert.match(withCert.stdout.trim(), /^26\./);
    const without = await runner.exec('docker', ['version', '--format', '{{.Server.Version}}'], {
      env: { ...bed.env, DOCKER_HOST: tls.host, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' },
      quiet: true,
    });
    assert.notEqual(without.code, 0, 'a client without a certificate is refused');
  });

  it('logs in to the htpasswd registry through a temporary DOCKER_CONFIG, and refuses a wrong password', async () => {
    let dir = '';
    const ref = `${bed.authRegistry}/outerloop-test/testbed:login-${process.pid}`;
    try {
      await withDockerLogin(
        { docker: new DockerCli(runner), output },
        [{ registry: bed.authRegistry, username: bed.authUser, password: bed.authPassword }],
        { tempRoot: tmpdir() },
        async (d) => {
          dir = d ?? '';
          await runner.exec('docker', ['tag', bed.baseImage, ref], { env: bed.env, quiet: true });
          const push = await runner.exec('docker', ['--config', dir, 'push', ref], { env: bed.env, quiet: true });
          assert.equal(push.code, 0, push.stderr);
        },
      );
    } finally {
      await runner.exec('docker', ['rmi', ref], { env: bed.env, quiet: true });
    }
    assert.ok(dir && !existsSync(dir), 'the temporary config is gone');
    await assert.rejects(
      withDockerLogin(
        { docker: new DockerCli(runner), output },
        [{ registry: bed.authRegistry, username: bed.authUser, password: 'wrong' }],
        { tempRoot: tmpdir() },
        async () => undefined,
      ),
      (err: unknown) => err instanceof ToolError && err.message.startsWith(`docker login to ${bed.authRegistry} as ${bed.authUser} failed`),
    );
  });
});
