import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { ToolError } from '../../../src/common/errors';
import { DockerCli, DockerCommandError, mergeTimestamped, parseImageInspect } from '../../../src/docker/engine';
import type { ExecOptions, ExecResult } from '../../../src/process/runner';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const DIGEST = `sha256:${'1'.repeat(64)}`;

function fakeExec(result: Partial<ExecResult> = {}): sinon.SinonStub<[string, readonly string[], ExecOptions?], Promise<ExecResult>> {
  return sinon
    .stub<[string, readonly string[], ExecOptions?], Promise<ExecResult>>()
    .resolves({ code: 0, stdout: '', stderr: '', ...result });
}

describe('mergeTimestamped', () => {
  it('interleaves stdout and stderr lines by their time stamps, whatever their precision', () => {
    const out = '2026-11-22T02:00:00.5Z out 1\n2026-11-22T02:00:02.000000001Z out 2\n';
    const err = '2026-11-22T02:00:00.123456789Z err 1\n2026-11-22T02:00:01Z err 2\n';
    assert.equal(
      mergeTimestamped(out, err),
      [
        '2026-11-22T02:00:00.123456789Z err 1',
        '2026-11-22T02:00:00.5Z out 1',
        '2026-11-22T02:00:01Z err 2',
        '2026-11-22T02:00:02.000000001Z out 2',
        '',
      ].join('\n'),
    );
    assert.equal(mergeTimestamped('', ''), '');
  });
});

describe('parseImageInspect', () => {
  it('reads each image id, RepoDigests and EXPOSEd ports, in order; no RepoDigests (never pushed) or EXPOSE is none', () => {
    const json = JSON.stringify([
      { Id: IMAGE, RepoDigests: [`127.0.0.1:5000/shop/api@${DIGEST}`], Config: { ExposedPorts: { '8080/tcp': {} } } },
      { Id: IMAGE, RepoDigests: null, Config: { ExposedPorts: null } },
    ]);
    assert.deepEqual(parseImageInspect(json, 2), [
      { id: IMAGE, repoDigests: [`127.0.0.1:5000/shop/api@${DIGEST}`], exposedPorts: [{ port: 8080, protocol: 'tcp' }] },
      { id: IMAGE, repoDigests: [], exposedPorts: [] },
    ]);
  });

  it('an answer that does not describe every image, or is not a list of references, is a ToolError', () => {
    assert.throws(
      () => parseImageInspect(JSON.stringify([{ Id: IMAGE, RepoDigests: [] }]), 2),
      (e: unknown) => e instanceof ToolError && /described 1 images for 2/.test(e.message),
    );
    assert.throws(
      () => parseImageInspect(JSON.stringify([{ Id: IMAGE, RepoDigests: 'x' }]), 1),
      (e: unknown) => e instanceof ToolError && /not a list of references/.test(e.message),
    );
    assert.throws(
      () => parseImageInspect('garbage', 1),
      (e: unknown) => e instanceof ToolError && /other than JSON/.test(e.message),
    );
  });
});

describe('DockerCli', () => {
  it("hasBuildx: a plugin file in docker's folders spares the probe; without one, `docker buildx version` decides", async () => {
    const exec = fakeExec();
    const found = sinon.fake.resolves(true);
    assert.equal(await new DockerCli({ exec }, {}, found).hasBuildx(), true);
    sinon.assert.calledWith(found, 'buildx');
    sinon.assert.notCalled(exec);
    const refused = fakeExec({ code: 1, stderr: 'unknown command: docker buildx' });
    assert.equal(await new DockerCli({ exec: refused }, {}, sinon.fake.resolves(false)).hasBuildx(), false);
    assert.deepEqual(refused.firstCall.args.slice(0, 2), ['docker', ['buildx', 'version']]);
  });

  it('build: runs the planned argv with the extra env and stdin under the DOCKER_CONFIG given, and returns the iidfile image id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-unit-engine-'));
    try {
      const iidFile = join(dir, 'iid');
      await writeFile(iidFile, 'stale');
      const exec = fakeExec();
      exec.callsFake(async () => {
        await writeFile(iidFile, IMAGE);
        return { code: 0, stdout: '', stderr: '' };
      });
      const docker = new DockerCli({ exec }, { PATH: '/bin' });
      assert.equal(
        await docker.build(['build', '--iidfile', iidFile, '.'], {
          iidFile,
          stdin: 'FROM scratch\n',
          env: { DOCKER_BUILDKIT: '0' },
          dockerConfig: '/tmp/cfg',
        }),
        IMAGE,
      );
      const [file, args, options] = exec.firstCall.args;
      assert.deepEqual([file, args], ['docker', ['build', '--iidfile', iidFile, '.']]);
      assert.deepEqual(options?.env, { PATH: '/bin', DOCKER_CONFIG: '/tmp/cfg', DOCKER_BUILDKIT: '0' });
      assert.equal(options?.stdin, 'FROM scratch\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('build: no image id written is a ToolError; a failed build names its failing step', async () => {
    const iidFile = join(tmpdir(), `outerloop-unit-none-${process.pid}`);
    await assert.rejects(new DockerCli({ exec: fakeExec() }, {}).build(['build', '.'], { iidFile }), /wrote no image id to its --iidfile/);
    const exec = fakeExec({
      code: 1,
      stdout: 'Step 2/2 : RUN false\n',
      stderr: "The command '/bin/sh -c false' returned a non-zero code: 1\n",
    });
    await assert.rejects(
      new DockerCli({ exec }, {}).build(['build', '.'], { iidFile }),
      (e: unknown) => e instanceof ToolError && /^docker build failed at step 2\/2 \(RUN false\)/.test(e.message),
    );
  });

  it('login: the password goes on stdin, never into argv', async () => {
    const exec = fakeExec();
    await new DockerCli({ exec }, {}).login({ registry: 'r:5001', username: 'ci', password: 'pa55' }, { dockerConfig: '/tmp/cfg' });
    assert.deepEqual(exec.firstCall.args[1], ['--config', '/tmp/cfg', 'login', 'r:5001', '--username', 'ci', '--password-stdin']);
    assert.equal(exec.firstCall.args[2]?.stdin, 'pa55');
  });

  it('push: returns what docker printed; a failure keeps the whole output for the caller and says it in one sentence', async () => {
    const ok = fakeExec({ stdout: `dev: digest: ${DIGEST} size: 528\n` });
    assert.match(await new DockerCli({ exec: ok }, {}).push('r/shop:dev', { quiet: true }), /digest: sha256:1+/);
    assert.equal(ok.firstCall.args[2]?.quiet, true);
    const failed = fakeExec({
      code: 1,
      stdout: 'The push refers to repository [r/shop]\n',
      stderr: 'received unexpected HTTP status: 503 Service Unavailable\n',
    });
    await assert.rejects(
      new DockerCli({ exec: failed }, {}).push('r/shop:dev'),
      (e: unknown) =>
        e instanceof DockerCommandError &&
        e.message === 'docker push r/shop:dev failed: received unexpected HTTP status: 503 Service Unavailable' &&
        /The push refers/.test(e.output) &&
        e.exitCode === 1,
    );
  });

  it('inspectImages: one quiet call for every image', async () => {
    const exec = fakeExec({
      stdout: JSON.stringify([
        { Id: IMAGE, RepoDigests: [] },
        { Id: IMAGE, RepoDigests: [] },
      ]),
    });
    assert.equal((await new DockerCli({ exec }, {}).inspectImages(['a:1', 'b:2'])).length, 2);
    assert.deepEqual(exec.firstCall.args[1], ['image', 'inspect', 'a:1', 'b:2']);
    assert.equal(exec.firstCall.args[2]?.quiet, true);
  });

  it('inspectProject: finds the containers by the project label and reads their state and labels', async () => {
    const exec = fakeExec();
    exec.onFirstCall().resolves({ code: 0, stdout: 'c1\n', stderr: '' });
    exec.onSecondCall().resolves({
      code: 0,
      stderr: '',
      stdout: JSON.stringify([
        {
          Id: 'c1',
          Name: '/shop-web-1',
          Config: { Labels: { 'com.docker.compose.service': 'web', 'com.docker.compose.project': 'shop' } },
          State: { Status: 'running', Health: { Status: 'healthy' } },
        },
      ]),
    });
    const { containers } = await new DockerCli({ exec }, {}).inspectProject('shop');
    assert.deepEqual(exec.firstCall.args[1], ['ps', '-a', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=shop']);
    assert.deepEqual(
      [containers[0].service, containers[0].status, containers[0].health, containers[0].labels['com.docker.compose.project']],
      ['web', 'running', 'healthy', 'shop'],
    );
  });
});
