import { strict as assert } from 'node:assert';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sinon from 'sinon';
import { InputError, ToolError } from '../../../src/common/errors';
import type { DockerBuildTagInputs, DockerBuildTagSettings } from '../../../src/docker-build-tag/inputs';
import { runDockerBuildTag } from '../../../src/docker-build-tag/run';
import { fakeContext, fakeDocker, fakeOutput } from '../../support/task-fakes';
import { testTempDir } from '../../support/temp';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const LABELED = `sha256:${'b'.repeat(64)}`;
const CLOCK = (): number => Date.parse('2026-11-22T03:00:00.000Z');

/** A docker port with buildx or not, whose first build returns IMAGE and a label build LABELED. */
function docker(options: { buildx: boolean }) {
  const d = fakeDocker();
  d.hasBuildx.resolves(options.buildx);
  d.build.onFirstCall().resolves(IMAGE);
  d.build.onSecondCall().resolves(LABELED);
  return d;
}

async function settings(overrides: Partial<DockerBuildTagInputs> = {}): Promise<DockerBuildTagSettings> {
  const work = await testTempDir('outerloop-unit-build-');
  await mkdir(join(work, 's', 'app'), { recursive: true });
  await mkdir(join(work, '_temp'));
  await writeFile(join(work, 's', 'app', 'Dockerfile'), 'FROM scratch\n');
  return {
    inputs: {
      dockerfile: join(work, 's', 'app', 'Dockerfile'),
      repository: 'shop/api',
      tags: ['42'],
      autoTags: true,
      latestBranch: 'main',
      buildArgs: [['A', '1']],
      cacheFrom: [],
      cacheTo: [],
      secrets: [],
      secretFiles: [],
      labels: [],
      noCache: false,
      pull: false,
      addPipelineLabels: true,
      ...overrides,
    },
    facts: { sourceBranch: 'refs/tags/v1.4.0', sourceVersion: 'fedcba9876543210fedcba9876543210fedcba98' },
    folders: { tempDirectory: join(work, '_temp'), workingDirectory: join(work, 's') },
  };
}

function context(output = fakeOutput()) {
  return fakeContext({ output, clock: CLOCK });
}

describe('runDockerBuildTag (docker port faked)', () => {
  it('classic: asks for buildx, builds once with the labels appended to the Dockerfile on stdin, sets every output', async () => {
    const s = await settings();
    const d = docker({ buildx: false });
    const output = fakeOutput();
    const message = await runDockerBuildTag(s, context(output), { docker: d });
    sinon.assert.calledOnce(d.hasBuildx);
    sinon.assert.calledOnce(d.build);
    sinon.assert.notCalled(d.login);
    const [args, options] = d.build.firstCall.args;
    assert.deepEqual([args[0], args[args.indexOf('--file') + 1]], ['build', '-'], 'the classic builder reads the Dockerfile on stdin');
    assert.ok(options.iidFile.startsWith(s.folders.tempDirectory! + '/outerloop-build-'), 'the iidfile is in Agent.TempDirectory');
    assert.equal(args[args.indexOf('--iidfile') + 1], options.iidFile);
    assert.match(
      options.stdin ?? '',
      /^FROM scratch\nLABEL "com\.azure\.dev\.image\.build\.sourcebranch"="refs\/tags\/v1\.4\.0" "org\.opencontainers\.image\.created"="2026-11-22T03:00:00\.000Z" /,
    );
    assert.match(options.stdin ?? '', /"org\.opencontainers\.image\.version"="1\.4\.0"/);
    assert.equal(options.env?.['DOCKER_BUILDKIT'], '0');
    assert.equal(options.dockerConfig, undefined, "no connection: the agent's own docker configuration");
    const outputs = Object.fromEntries(output.setOutput.getCalls().map((c) => c.args as [string, string]));
    assert.deepEqual(outputs, {
      imageId: IMAGE,
      repository: 'shop/api',
      tags: '42,1.4.0,1.4,1,sha-fedcba9',
      imageReferences: 'shop/api:42\nshop/api:1.4.0\nshop/api:1.4\nshop/api:1\nshop/api:sha-fedcba9',
      version: '1.4.0',
    });
    assert.equal(message, `Built shop/api ${IMAGE} with 5 tags: 42, 1.4.0, 1.4, 1, sha-fedcba9.`);
    assert.deepEqual(await readdir(s.folders.tempDirectory!), [], 'the iidfile folder is removed');
    const record = JSON.parse(output.addAttachment.firstCall.args[2]);
    assert.deepEqual(
      [record.image.imageId, record.image.tags, record.image.builder, record.image.labels['org.opencontainers.image.version']],
      [IMAGE, ['42', '1.4.0', '1.4', '1', 'sha-fedcba9'], 'classic', '1.4.0'],
    );
    assert.match(output.uploadSummary.firstCall.args[1], /^### DockerBuildTag: shop\/api\n/);
  });

  it('classic with a target stage: a plain build, then one LABEL step FROM its image id that applies labels and tags', async () => {
    const d = docker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(await settings({ target: 'runtime' }), context(output), { docker: d });
    sinon.assert.calledTwice(d.build);
    const [first] = d.build.firstCall.args;
    assert.ok(first.includes('runtime') && !first.includes('--tag'));
    const [second, options] = d.build.secondCall.args;
    assert.equal(second[second.length - 1], '-');
    assert.match(options.stdin ?? '', new RegExp(`^FROM ${IMAGE}\nLABEL `));
    assert.equal(output.setOutput.getCalls().find((c) => c.args[0] === 'imageId')?.args[1], LABELED);
  });

  it('classic with a .dockerignore in the context that does not exclude itself: the Dockerfile stays on disk, the labels go in a second build', async () => {
    const s = await settings();
    await writeFile(join(s.folders.workingDirectory, 'app', '.dockerignore'), 'node_modules\n');
    const d = docker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(s, context(output), { docker: d });
    sinon.assert.calledTwice(d.build);
    const [first, options] = d.build.firstCall.args;
    assert.equal(first[first.indexOf('--file') + 1], s.inputs.dockerfile, 'the Dockerfile is read from disk');
    assert.equal(options.stdin, undefined);
    assert.match(d.build.secondCall.args[1].stdin ?? '', new RegExp(`^FROM ${IMAGE}\nLABEL `));
    assert.ok(
      output.info
        .getCalls()
        .some((c) => /in a second, one-step build: the build context's \.dockerignore does not exclude itself/.test(String(c.args[0]))),
    );
  });

  it('buildx: one BuildKit build that applies tags and labels', async () => {
    const d = docker({ buildx: true });
    const output = fakeOutput();
    await runDockerBuildTag(await settings({ platform: 'linux/arm64' }), context(output), { docker: d });
    sinon.assert.calledOnce(d.build);
    const [args, options] = d.build.firstCall.args;
    assert.deepEqual(args.slice(0, 3), ['buildx', 'build', '--load']);
    assert.ok(args.includes('--tag') && args.includes('--label') && args.includes('linux/arm64'));
    assert.equal(options.stdin, undefined);
    assert.equal(JSON.parse(output.addAttachment.firstCall.args[2]).image.builder, 'buildx');
  });

  it("logs in to the service connection's registry through a temporary DOCKER_CONFIG, removed afterwards", async () => {
    const s = await settings({
      containerRegistry: { registry: '127.0.0.1:5001', username: 'ci', password: 's3cret' },
      addPipelineLabels: false,
    });
    const d = docker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(s, context(output), { docker: d });
    sinon.assert.calledOnce(d.login);
    const [credentials, login] = d.login.firstCall.args;
    assert.deepEqual(credentials, { registry: '127.0.0.1:5001', username: 'ci', password: 's3cret' });
    assert.ok(login.dockerConfig.startsWith(s.folders.tempDirectory!), 'the temporary config is under Agent.TempDirectory');
    assert.ok(output.setSecret.calledWith('s3cret'));
    sinon.assert.callOrder(d.login, d.build);
    const [args, options] = d.build.firstCall.args;
    assert.equal(options.dockerConfig, login.dockerConfig, 'the build uses the logged-in config');
    assert.ok(args.includes('127.0.0.1:5001/shop/api:42'), 'the bare repository is qualified');
    assert.ok(!args.join(' ').includes('s3cret'), 'no password in the build argv');
    assert.deepEqual(await readdir(s.folders.tempDirectory!), []);
  });

  it('names the Dockerfile path it tried, before running docker', async () => {
    const s = await settings({ dockerfile: '/nowhere/Dockerfile' });
    const d = docker({ buildx: false });
    await assert.rejects(
      runDockerBuildTag(s, context(), { docker: d }),
      (err: unknown) => err instanceof InputError && err.message === "Input 'dockerfile' names /nowhere/Dockerfile, which does not exist.",
    );
    sinon.assert.notCalled(d.hasBuildx);
    sinon.assert.notCalled(d.build);
  });

  it('refuses a platform without buildx', async () => {
    await assert.rejects(
      runDockerBuildTag(await settings({ platform: 'linux/arm64' }), context(), { docker: docker({ buildx: false }) }),
      /^InputError: Input 'platform' needs docker buildx/,
    );
  });

  it('passes a failed build on as it is and removes its temporary files', async () => {
    const s = await settings();
    const d = docker({ buildx: false });
    const failure = new ToolError(
      'docker',
      "docker build failed at step 2/2 (RUN false): The command '/bin/sh -c false' returned a non-zero code: 1.",
    );
    d.build.onFirstCall().rejects(failure);
    await assert.rejects(runDockerBuildTag(s, context(), { docker: d }), (err: unknown) => err === failure);
    assert.deepEqual(await readdir(s.folders.tempDirectory!), []);
  });
});
