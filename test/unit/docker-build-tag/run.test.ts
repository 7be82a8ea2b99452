import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { InputError, ToolError } from '../../../src/common/errors';
import type { DockerBuildTagInputs, DockerBuildTagSettings } from '../../../src/docker-build-tag/inputs';
import { runDockerBuildTag } from '../../../src/docker-build-tag/run';
import type { PipelineOutput } from '../../../src/pipeline/interfaces';
import type { TaskContext } from '../../../src/pipeline/run-task';
import type { ExecOptions, ExecResult } from '../../../src/process/runner';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const LABELED = `sha256:${'b'.repeat(64)}`;
const CLOCK = (): Date => new Date('2026-11-22T03:00:00.000Z');
/** No plugin file in docker's folders: the task asks `docker buildx version` (the fake answers). */
const NO_PLUGIN = async (): Promise<boolean> => false;

function fakeOutput(): { [K in keyof PipelineOutput]: sinon.SinonSpy } {
  return {
    info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy(), setSecret: sinon.spy(),
    setOutput: sinon.spy(), uploadArtifact: sinon.spy(), publishTestResults: sinon.spy(),
    uploadSummary: sinon.spy(), addAttachment: sinon.spy(),
  };
}

/** A docker that answers the buildx probe as told and "builds" by writing the iidfile. */
function fakeDocker(options: { buildx: boolean; fail?: ExecResult }): sinon.SinonStub<[string, readonly string[], ExecOptions?], Promise<ExecResult>> {
  return sinon.stub<[string, readonly string[], ExecOptions?], Promise<ExecResult>>().callsFake(async (_file, args) => {
    if (args[0] === 'buildx' && args[1] === 'version') return options.buildx ? { code: 0, stdout: 'github.com/docker/buildx v0.20.0', stderr: '' } : { code: 1, stdout: '', stderr: "unknown command: docker buildx" };
    if (args.includes('login')) return { code: 0, stdout: 'Login Succeeded', stderr: '' };
    if (options.fail) return options.fail;
    const iid = args[args.indexOf('--iidfile') + 1];
    await writeFile(iid, args[args.length - 1] === '-' ? LABELED : IMAGE); // `-` last: the separate label build
    return { code: 0, stdout: '', stderr: '' };
  });
}

async function settings(overrides: Partial<DockerBuildTagInputs> = {}): Promise<DockerBuildTagSettings> {
  const work = await mkdtemp(join(tmpdir(), 'outerloop-unit-build-'));
  await mkdir(join(work, 's', 'app'), { recursive: true });
  await mkdir(join(work, '_temp'));
  await writeFile(join(work, 's', 'app', 'Dockerfile'), 'FROM scratch\n');
  return {
    inputs: {
      dockerfile: join(work, 's', 'app', 'Dockerfile'), repository: 'shop/api', tags: ['42'], autoTags: true, latestBranch: 'main',
      buildArgs: [['A', '1']], cacheFrom: [], cacheTo: [], secrets: [], secretFiles: [], labels: [], noCache: false, pull: false, addPipelineLabels: true, ...overrides,
    },
    facts: { sourceBranch: 'refs/tags/v1.4.0', sourceVersion: 'fedcba9876543210fedcba9876543210fedcba98' },
    folders: { tempDirectory: join(work, '_temp'), workingDirectory: join(work, 's') },
  };
}

function context(exec: TaskContext['runner']['exec'], output = fakeOutput()): TaskContext {
  return { runner: { exec }, output, env: { input: () => undefined, variable: () => undefined, endpoint: () => undefined }, signal: new AbortController().signal };
}

describe('runDockerBuildTag (effects through fakes)', () => {
  it('classic: probes buildx, builds once with the labels appended to the Dockerfile, reads the iidfile, sets every output', async () => {
    const s = await settings();
    const exec = fakeDocker({ buildx: false });
    const output = fakeOutput();
    const message = await runDockerBuildTag(s, context(exec, output), CLOCK, NO_PLUGIN);
    assert.equal(exec.callCount, 2);
    assert.deepEqual(exec.getCall(0).args[1], ['buildx', 'version']);
    const [file, args, options] = exec.getCall(1).args;
    assert.equal(file, 'docker');
    assert.deepEqual([...args.slice(0, 3), ...args.slice(4, 6)], ['build', '--force-rm', '--iidfile', '--file', '-']);
    assert.ok(args[3].startsWith(s.folders.tempDirectory! + '/outerloop-build-'), 'the iidfile is in Agent.TempDirectory');
    assert.deepEqual(args.filter((a) => a.startsWith('shop/api:')), ['shop/api:42', 'shop/api:1.4.0', 'shop/api:1.4', 'shop/api:1', 'shop/api:sha-fedcba9']);
    assert.ok(args.includes('A=1') && !args.includes('--label'));
    assert.match(options?.stdin ?? '', /^FROM scratch\nLABEL "com\.azure\.dev\.image\.build\.sourcebranch"="refs\/tags\/v1\.4\.0" "org\.opencontainers\.image\.created"="2026-11-22T03:00:00\.000Z" /);
    assert.match(options?.stdin ?? '', /"org\.opencontainers\.image\.version"="1\.4\.0"/);
    assert.equal(options?.env?.['DOCKER_BUILDKIT'], '0');
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
    assert.deepEqual([record.image.imageId, record.image.tags, record.image.builder, record.image.labels['org.opencontainers.image.version']], [IMAGE, ['42', '1.4.0', '1.4', '1', 'sha-fedcba9'], 'classic', '1.4.0']);
    assert.match(output.uploadSummary.firstCall.args[1], /^### DockerBuildTag: shop\/api\n/);
  });

  it('classic with a target stage: a plain build, then one LABEL step FROM its image id that applies labels and tags', async () => {
    const exec = fakeDocker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(await settings({ target: 'runtime' }), context(exec, output), CLOCK, NO_PLUGIN);
    assert.equal(exec.callCount, 3);
    const first = exec.getCall(1).args[1];
    assert.ok(first.includes('runtime') && !first.includes('--tag'));
    const [, second, options] = exec.getCall(2).args;
    assert.equal(second[second.length - 1], '-');
    assert.match(options?.stdin ?? '', new RegExp(`^FROM ${IMAGE}\nLABEL `));
    assert.equal(output.setOutput.getCalls().find((c) => c.args[0] === 'imageId')?.args[1], LABELED);
  });

  it('classic with a .dockerignore in the context that does not exclude itself: the Dockerfile stays on disk, the labels go in a second build', async () => {
    const s = await settings();
    await writeFile(join(s.folders.workingDirectory, 'app', '.dockerignore'), 'node_modules\n');
    const exec = fakeDocker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(s, context(exec, output), CLOCK, NO_PLUGIN);
    assert.equal(exec.callCount, 3);
    const [, first, options] = exec.getCall(1).args;
    assert.equal(first[first.indexOf('--file') + 1], s.inputs.dockerfile, 'the Dockerfile is read from disk');
    assert.equal(options?.stdin, undefined);
    assert.match(exec.getCall(2).args[2]?.stdin ?? '', new RegExp(`^FROM ${IMAGE}\nLABEL `));
    assert.ok(output.info.getCalls().some((c) => /in a second, one-step build: the build context's \.dockerignore does not exclude itself/.test(String(c.args[0]))));
  });

  it('buildx: one buildx build --load with tags and labels', async () => {
    const exec = fakeDocker({ buildx: true });
    await runDockerBuildTag(await settings({ platform: 'linux/arm64' }), context(exec), CLOCK, NO_PLUGIN);
    assert.equal(exec.callCount, 2);
    const args = exec.getCall(1).args[1];
    assert.deepEqual(args.slice(0, 3), ['buildx', 'build', '--load']);
    assert.ok(args.includes('--tag') && args.includes('--label') && args.includes('linux/arm64'));
  });

  it('buildx: a plugin file in docker\'s folders spares the probe', async () => {
    const exec = fakeDocker({ buildx: true });
    const found = sinon.fake.resolves(true);
    await runDockerBuildTag(await settings(), context(exec), CLOCK, found);
    sinon.assert.calledWith(found, 'buildx');
    assert.equal(exec.callCount, 1, 'the build only');
    assert.deepEqual(exec.getCall(0).args[1].slice(0, 3), ['buildx', 'build', '--load']);
  });

  it('logs in to the service connection\'s registry through a temporary DOCKER_CONFIG, removed afterwards', async () => {
    const s = await settings({ containerRegistry: { registry: '127.0.0.1:5001', username: 'ci', password: 's3cret' }, addPipelineLabels: false });
    const exec = fakeDocker({ buildx: false });
    const output = fakeOutput();
    await runDockerBuildTag(s, context(exec, output), CLOCK, NO_PLUGIN);
    const login = exec.getCall(1);
    assert.deepEqual(login.args[1].slice(2), ['login', '127.0.0.1:5001', '--username', 'ci', '--password-stdin']);
    assert.equal(login.args[2]?.stdin, 's3cret');
    assert.ok(output.setSecret.calledWith('s3cret'));
    const build = exec.getCall(2);
    assert.equal(build.args[2]?.env?.['DOCKER_CONFIG'], login.args[1][1]);
    assert.ok(build.args[1].includes('127.0.0.1:5001/shop/api:42'), 'the bare repository is qualified');
    for (const call of exec.getCalls()) assert.ok(!call.args[1].join(' ').includes('s3cret'), 'no password in any argv');
    assert.deepEqual(await readdir(s.folders.tempDirectory!), []);
  });

  it('names the Dockerfile path it tried, before running docker', async () => {
    const s = await settings({ dockerfile: '/nowhere/Dockerfile' });
    const exec = fakeDocker({ buildx: false });
    await assert.rejects(runDockerBuildTag(s, context(exec), CLOCK, NO_PLUGIN), (err: unknown) => err instanceof InputError && err.message === "Input 'dockerfile' names /nowhere/Dockerfile, which does not exist.");
    sinon.assert.notCalled(exec);
  });

  it('refuses a platform without buildx', async () => {
    await assert.rejects(runDockerBuildTag(await settings({ platform: 'linux/arm64' }), context(fakeDocker({ buildx: false })), CLOCK, NO_PLUGIN), /^InputError: Input 'platform' needs docker buildx/);
  });

  it('turns a failed build into the failing step\'s message and removes its temporary files', async () => {
    const s = await settings();
    const fail = { code: 1, stdout: 'Step 2/2 : RUN false\n ---> Running in 1\n', stderr: "The command '/bin/sh -c false' returned a non-zero code: 1\n" };
    await assert.rejects(runDockerBuildTag(s, context(fakeDocker({ buildx: false, fail })), CLOCK, NO_PLUGIN), (err: unknown) =>
      err instanceof ToolError && err.message === "docker build failed at step 2/2 (RUN false): The command '/bin/sh -c false' returned a non-zero code: 1.");
    assert.deepEqual(await readdir(s.folders.tempDirectory!), []);
  });
});
