import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp as makeTemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sinon from 'sinon';
import { FileError, ToolError } from '../../../src/common/errors';
import type { ComposeSource } from '../../../src/compose/source';
import { formatDigestFile, parseDigestFile } from '../../../src/digests/digest-file';
import { DockerCommandError } from '../../../src/docker/engine';
import type { ExecResult } from '../../../src/process/runner';
import { readImages, type PushDigestInputs } from '../../../src/push-digest/inputs';
import { DigestError } from '../../../src/push-digest/plan';
import { LOCKED_HEADER, runPushDigest, type PushDigestPorts } from '../../../src/push-digest/run';
import { RegistryError, type Registry } from '../../../src/registry/registry';
import { fakeContext, fakeDocker, fakeOutput } from '../../support/task-fakes';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const PASSWORD = 'pa55-w0rd-xyz';
const API = '127.0.0.1:5001/shop/api:42';
const WEB = '127.0.0.1:5001/shop/web:42';

const temps: string[] = [];
/** A temporary folder, removed after the suite. */
async function mkdtemp(prefix: string): Promise<string> {
  const dir = await makeTemp(prefix);
  temps.push(dir);
  return dir;
}

type Scripted = Partial<ExecResult>;

/** What docker prints (and exits with) for a push; a non-zero code is the port's DockerCommandError. */
function pushAnswer(reference: string, answer: Scripted): string {
  const { code = 0, stdout = '', stderr = '' } = answer;
  if (code === 0) return stdout;
  throw new DockerCommandError(`docker push ${reference}`, (stderr || stdout).trim().split('\n').pop() ?? '', `${stdout}\n${stderr}`, code);
}

/** A docker port that logs in, pushes (printing the digest) and answers inspect with RepoDigests. */
function pushingDocker(pushResults: Record<string, Scripted[]> = {}) {
  const docker = fakeDocker();
  docker.push.callsFake(async (reference: string) => {
    const scripted = pushResults[reference]?.shift();
    if (scripted) return pushAnswer(reference, scripted);
    const digest = reference === API ? A : B;
    return `The push refers to repository [x]\n42: digest: ${digest} size: 736\n`;
  });
  docker.inspectImages.resolves([
    { id: A, repoDigests: [`127.0.0.1:5001/shop/api@${A}`] },
    { id: B, repoDigests: [`127.0.0.1:5001/shop/web@${B}`, `127.0.0.1:5000/other@${A}`] },
  ]);
  return docker;
}

/** The shared compose inputs for these compose files (none: no locked file). */
function compose(files: string[] = [], environment: Record<string, string> = {}): ComposeSource {
  return { files, workingDir: files[0] ? dirname(files[0]) : tmpdir(), environment, profiles: [] };
}

async function setup(
  overrides: Partial<PushDigestInputs> = {},
  docker = pushingDocker(),
  served: Record<string, string> = { 'shop/api': A, 'shop/web': B },
) {
  const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
  const inputs: PushDigestInputs = {
    images: readImages([API, WEB]),
    credentials: { registry: '127.0.0.1:5001', username: 'ci', password: PASSWORD },
    digestFile: join(dir, 'image-digests.json'),
    artifactName: 'image-digests',
    compose: compose(),
    verify: true,
    retries: 3,
    pipeline: { buildNumber: '7' },
    tempDir: dir,
    ...overrides,
  };
  const output = fakeOutput();
  const manifestDigest = sinon
    .stub<Parameters<Registry['manifestDigest']>, ReturnType<Registry['manifestDigest']>>()
    .callsFake(async (image) => served[image.path]);
  const sleep = sinon.stub().resolves();
  const context = fakeContext({ output });
  const registry = sinon.stub<Parameters<PushDigestPorts['registry']>, Registry>().returns({ manifestDigest });
  const ports: PushDigestPorts = { docker, registry, sleep, baseEnv: { TAG: '42' } };
  const run = () => runPushDigest(inputs, context, ports);
  return { dir, inputs, output, docker, manifestDigest, registry, sleep, ports, run };
}

describe('runPushDigest (docker and registry ports faked)', () => {
  after(async () => {
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('logs in, pushes each image, has the registry confirm the digests docker printed, then writes the digest file and outputs', async () => {
    const t = await setup();
    const message = await t.run();
    assert.equal(message, `Pushed 2 images, verified with the registry, and recorded the digests in ${t.inputs.digestFile}.`);
    sinon.assert.calledOnceWithMatch(t.docker.login, { registry: '127.0.0.1:5001', username: 'ci', password: PASSWORD });
    assert.deepEqual(
      t.docker.push.getCalls().map((c) => c.args[0]),
      [API, WEB],
    );
    sinon.assert.callOrder(t.docker.login, t.docker.push);
    sinon.assert.notCalled(t.docker.inspectImages); // the registry confirms what docker push printed
    const dockerConfig = t.docker.push.firstCall.args[1]?.dockerConfig ?? '';
    assert.match(dockerConfig, /outerloop-docker-/, 'docker push uses the temporary config');
    assert.equal(dockerConfig, t.docker.login.firstCall.args[1].dockerConfig, 'the one docker login wrote');
    assert.ok(!existsSync(dockerConfig), 'which is gone afterwards');
    sinon.assert.calledWith(t.output.setSecret, PASSWORD);
    assert.deepEqual(
      t.manifestDigest.getCalls().map((c) => c.args[0].path),
      ['shop/api', 'shop/web'],
    );
    sinon.assert.calledWith(t.registry, t.inputs.credentials);
    const file = parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x');
    assert.deepEqual(
      file.images.map((i) => [i.reference, i.digest]),
      [
        [API, A],
        [WEB, B],
      ],
    );
    assert.deepEqual(file.pipeline, { buildNumber: '7' });
    const outputs = Object.fromEntries(t.output.setOutput.getCalls().map((c) => c.args));
    assert.deepEqual(outputs, {
      digest: A,
      imageRef: `127.0.0.1:5001/shop/api@${A}`,
      digests: JSON.stringify({ [API]: A, [WEB]: B }),
      digestFile: t.inputs.digestFile,
    });
    sinon.assert.calledOnceWithExactly(t.output.uploadArtifact, 'image-digests', t.inputs.digestFile);
  });

  it('pushes repositories side by side, tags of one repository in turn, each output as one neutralized block', async () => {
    const docker = pushingDocker();
    const order: string[] = [];
    const t = await setup({ images: readImages([API, `${API.replace(':42', ':latest')}`, WEB]), verify: false }, docker);
    docker.push.callsFake(async (reference: string) => {
      order.push(`start ${reference}`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`end ${reference}`);
      const tag = reference.split(':').pop();
      return `##vso[task.setvariable variable=x]evil\n${tag}: digest: ${reference.includes('/api:') ? A : B} size: 1\n`;
    });
    docker.inspectImages.resolves([
      { id: A, repoDigests: [`127.0.0.1:5001/shop/api@${A}`] },
      { id: A, repoDigests: [`127.0.0.1:5001/shop/api@${A}`] },
      { id: B, repoDigests: [`127.0.0.1:5001/shop/web@${B}`] },
    ]);
    await t.run();
    const apiLatest = API.replace(':42', ':latest');
    assert.deepEqual(order, [`start ${API}`, `start ${WEB}`, `end ${API}`, `start ${apiLatest}`, `end ${WEB}`, `end ${apiLatest}`]);
    for (const c of docker.push.getCalls()) assert.equal(c.args[1]?.quiet, true, 'concurrent pushes are captured');
    const blocks = t.output.info
      .getCalls()
      .map((c) => String(c.args[0]))
      .filter((m) => m.includes('digest:'));
    assert.equal(blocks.length, 3);
    for (const b of blocks) assert.ok(!b.includes('##vso['), `neutralized: ${b}`);
  });

  it('retries a push refused by a registry that is down, with backoff, and records the digest', async () => {
    const refused = { code: 1, stderr: 'Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused\n' };
    const t = await setup({}, pushingDocker({ [API]: [refused, refused] }));
    await t.run();
    assert.deepEqual(
      t.sleep.getCalls().map((c) => c.args[0]),
      [1000, 2000],
    );
    assert.ok(
      t.output.info
        .getCalls()
        .some((c) =>
          /^docker push 127\.0\.0\.1:5001\/shop\/api:42 failed \(Get .*connection refused\); retry 1 of 3 in 1 s\.$/.test(c.args[0]),
        ),
    );
    assert.ok(existsSync(t.inputs.digestFile));
  });

  it('never deletes a file it did not write: a digestFile or lockedComposeFile naming another file is refused before anything runs', async () => {
    for (const input of ['digestFile', 'lockedComposeFile'] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
      const precious = join(dir, 'docker-compose.yml');
      await writeFile(precious, 'services:\n  api:\n    image: x\n');
      const file = join(dir, 'compose.yaml');
      await writeFile(file, 'services:\n  api:\n    image: 127.0.0.1:5001/shop/api:42\n');
      const t = await setup(input === 'digestFile' ? { digestFile: precious } : { compose: compose([file]), lockedComposeFile: precious });
      await assert.rejects(
        t.run(),
        (err: unknown) =>
          err instanceof FileError &&
          err.message ===
            `${precious}: ${input} names a file that is not one this task wrote: PushDigest never deletes or overwrites a file it did not create. Choose another path, or delete the file first.`,
      );
      assert.equal(await readFile(precious, 'utf8'), 'services:\n  api:\n    image: x\n', `${input}: the file is untouched`);
      sinon.assert.notCalled(t.docker.login);
      sinon.assert.notCalled(t.docker.push);
    }
  });

  it('replaces the locked compose file an earlier run wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const file = join(dir, 'compose.yaml');
    await writeFile(file, 'services:\n  api:\n    image: 127.0.0.1:5001/shop/api:42\n');
    const locked = join(dir, 'locked.yml');
    await writeFile(locked, `${LOCKED_HEADER}services: {}\n`);
    const t = await setup({ compose: compose([file]), lockedComposeFile: locked });
    await t.run();
    assert.ok((await readFile(locked, 'utf8')).includes(`127.0.0.1:5001/shop/api@${A}`));
  });

  it('logs in through a temporary DOCKER_CONFIG under Agent.TempDirectory (the agent cleans it even after a SIGKILL)', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'outerloop-pd-agent-temp-'));
    const t = await setup({ tempDir: temp });
    await t.run();
    const dockerConfig = t.docker.login.firstCall.args[1].dockerConfig;
    assert.ok(dockerConfig.startsWith(join(temp, 'outerloop-docker-')), dockerConfig);
  });

  it('fails after the retries, leaving no digest file (an earlier one is deleted)', async () => {
    const refused = { code: 1, stderr: 'dial tcp 127.0.0.1:5001: connect: connection refused\n' };
    const t = await setup({ retries: 2 }, pushingDocker({ [API]: [refused, refused, refused] }));
    await writeFile(t.inputs.digestFile, formatDigestFile({ version: 1, images: [], pipeline: { buildNumber: '6' } }));
    await assert.rejects(t.run(), (err: unknown) => {
      assert.ok(err instanceof ToolError);
      assert.equal(err.message, `docker push ${API} failed after 3 attempts: dial tcp 127.0.0.1:5001: connect: connection refused`);
      return true;
    });
    assert.ok(!existsSync(t.inputs.digestFile), 'no digest file, stale or new');
    sinon.assert.notCalled(t.output.setOutput);
    sinon.assert.notCalled(t.output.uploadArtifact);
  });

  /** Makes `docker login` fail with each of `failures` in turn (as the engine port says it), then succeed. */
  function failLogins(docker: ReturnType<typeof pushingDocker>, failures: string[]): void {
    docker.login.callsFake(async (c: { registry: string; username: string }) => {
      const failure = failures.shift();
      if (failure !== undefined) throw new ToolError('docker', `docker login to ${c.registry} as ${c.username} failed: ${failure}`, 1);
    });
  }

  it('retries a docker login that a registry that is down refused, then pushes', async () => {
    const t = await setup();
    failLogins(t.docker, [
      'Error response from daemon: Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused',
    ]);
    await t.run();
    assert.deepEqual(
      t.sleep.getCalls().map((c) => c.args[0]),
      [1000],
    );
    sinon.assert.calledTwice(t.docker.login);
    assert.ok(
      t.output.info
        .getCalls()
        .some((c) =>
          /^docker login to 127\.0\.0\.1:5001 as ci failed: .*connection refused; retry 1 of 3 in 1 s\.$/.test(String(c.args[0])),
        ),
    );
    assert.ok(existsSync(t.inputs.digestFile));
  });

  it('gives up on a registry that stays down at login, naming the attempts, with no digest file', async () => {
    const t = await setup({ retries: 1 });
    const refused = 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused';
    failLogins(t.docker, [refused, refused]);
    await assert.rejects(t.run(), { message: `docker login to 127.0.0.1:5001 as ci failed: ${refused} (gave up after 2 attempts).` });
    sinon.assert.notCalled(t.docker.push);
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('fails at once when the registry rejects the login', async () => {
    const t = await setup();
    const rejected = 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": unauthorized: authentication required';
    failLogins(t.docker, [rejected]);
    await assert.rejects(t.run(), { message: `docker login to 127.0.0.1:5001 as ci failed: ${rejected}` });
    sinon.assert.notCalled(t.sleep);
  });

  it('fails at once when the registry denies the push', async () => {
    const t = await setup({}, pushingDocker({ [API]: [{ code: 1, stderr: 'unauthorized: authentication required\n' }] }));
    await assert.rejects(t.run(), { message: `docker push ${API} failed: unauthorized: authentication required` });
    sinon.assert.notCalled(t.sleep);
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('refuses a digest the registry does not confirm, and writes nothing', async () => {
    const t = await setup({}, undefined, { 'shop/api': A, 'shop/web': A });
    await assert.rejects(
      t.run(),
      (err: unknown) =>
        err instanceof DigestError && err.message.startsWith(`The registry serves ${A} for ${WEB}, but the engine pushed ${B}`),
    );
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('passes on a registry failure as it is, and writes nothing', async () => {
    const t = await setup();
    t.manifestDigest.rejects(
      new RegistryError('127.0.0.1:5001', 'Registry 127.0.0.1:5001 has no manifest for shop/api:42 (404 Not Found).', false, 404),
    );
    await assert.rejects(t.run(), { message: 'Registry 127.0.0.1:5001 has no manifest for shop/api:42 (404 Not Found).' });
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('reports the first image the registry cannot confirm, in the order listed, after every answer is in', async () => {
    const t = await setup();
    let webSettled = false;
    t.manifestDigest.callsFake(async (image) => {
      if (image.path === 'shop/web') {
        webSettled = true;
        throw new RegistryError('127.0.0.1:5001', 'Registry 127.0.0.1:5001 denied access to shop/web:42 (403 Forbidden).', false, 403);
      }
      await new Promise((r) => setTimeout(r, 20));
      throw new RegistryError('127.0.0.1:5001', 'Registry 127.0.0.1:5001 has no manifest for shop/api:42 (404 Not Found).', false, 404);
    });
    await assert.rejects(t.run(), { message: 'Registry 127.0.0.1:5001 has no manifest for shop/api:42 (404 Not Found).' });
    assert.ok(webSettled);
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it("neutralizes logging commands in the reasons it logs for retries (docker's and the registry's text)", async () => {
    const evil = { code: 1, stderr: 'received unexpected HTTP status: 503 ##vso[task.setvariable variable=pwned]1\n' };
    const t = await setup({}, pushingDocker({ [API]: [evil] }));
    t.registry.callsFake((_credentials, _retry, onRetry) => ({
      manifestDigest: async (image) => {
        onRetry('Registry 127.0.0.1:5001: answered 503 ##vso[task.complete result=Failed]x for shop/api:42; retry 1 of 3 in 1 s.');
        return image.path === 'shop/api' ? A : B;
      },
    }));
    await t.run();
    const lines = t.output.info.getCalls().map((c) => String(c.args[0]));
    assert.ok(
      lines.some((l) => l.includes('##~vso[task.setvariable')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.includes('##~vso[task.complete')),
      lines.join('\n'),
    );
    assert.deepEqual(
      lines.filter((l) => /##vso\[/i.test(l)),
      [],
    );
  });

  it("skips the registry with verify: false, and checks the printed digests against the engine's RepoDigests instead", async () => {
    const t = await setup({ verify: false, credentials: undefined });
    assert.equal(await t.run(), `Pushed 2 images and recorded the digests in ${t.inputs.digestFile}.`);
    sinon.assert.notCalled(t.manifestDigest);
    sinon.assert.notCalled(t.docker.login); // no login without a connection
    assert.equal(t.docker.push.firstCall.args[1]?.dockerConfig, undefined, "the agent's own docker configuration");
    sinon.assert.calledOnceWithMatch(t.docker.inspectImages, [API, WEB]);
    sinon.assert.callOrder(t.docker.push, t.docker.inspectImages);
    assert.deepEqual(
      parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x').images.map((i) => i.digest),
      [A, B],
    );
  });

  it("reads the engine's RepoDigests when docker push printed no digest, and still has the registry confirm them", async () => {
    const t = await setup({}, pushingDocker({ [WEB]: [{ stdout: 'The push refers to repository [x]\n' }] }));
    await t.run();
    sinon.assert.calledOnce(t.docker.inspectImages);
    sinon.assert.calledTwice(t.manifestDigest);
    assert.deepEqual(
      parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x').images.map((i) => i.digest),
      [A, B],
    );
  });

  it('writes and publishes the locked compose file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const file = join(dir, 'docker-compose.yml');
    await writeFile(
      file,
      'services:\n  api:\n    build: .\n    image: 127.0.0.1:5001/shop/api:${TAG}\n  web:\n    image: 127.0.0.1:5001/shop/web:42\n  db:\n    image: redis:7\n',
    );
    const locked = join(dir, 'locked.yml');
    const t = await setup({ compose: compose([file]), lockedComposeFile: locked });
    await t.run();
    assert.equal(
      await readFile(locked, 'utf8'),
      `${LOCKED_HEADER}services:\n  api:\n    build: .\n    image: 127.0.0.1:5001/shop/api@${A}\n  web:\n    image: 127.0.0.1:5001/shop/web@${B}\n  db:\n    image: redis:7\n`,
    );
    sinon.assert.calledWith(t.output.warning, "Service 'db' keeps image 'redis:7' unpinned: this task did not push it.");
    assert.deepEqual(
      t.output.uploadArtifact.getCalls().map((c) => c.args),
      [
        ['image-digests', t.inputs.digestFile],
        ['image-digests', locked],
      ],
    );
  });

  it("takes the compose files' variables from the environment input, over the agent's own", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const file = join(dir, 'docker-compose.yml');
    await writeFile(file, 'services:\n  api:\n    build: .\n    image: ${REGISTRY}/shop/api:${TAG:-dev}\n');
    const locked = join(dir, 'locked.yml');
    const t = await setup({
      images: readImages([API]),
      compose: compose([file], { REGISTRY: '127.0.0.1:5001', TAG: '42' }),
      lockedComposeFile: locked,
    });
    t.ports.baseEnv = { TAG: 'dev' }; // the agent has no TAG of this build: the environment input gives it
    await t.run();
    assert.equal(
      await readFile(locked, 'utf8'),
      `${LOCKED_HEADER}services:\n  api:\n    build: .\n    image: 127.0.0.1:5001/shop/api@${A}\n`,
    );
  });

  it('checks the compose files before pushing anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const file = join(dir, 'docker-compose.yml');
    await writeFile(file, 'services:\n  worker:\n    build: .\n    image: 127.0.0.1:5001/shop/worker:42\n');
    const t = await setup({ compose: compose([file]), lockedComposeFile: join(dir, 'locked.yml') });
    await assert.rejects(
      t.run(),
      (err: unknown) =>
        err instanceof FileError && err.message.includes("services.worker.image '127.0.0.1:5001/shop/worker:42' is built by this project"),
    );
    sinon.assert.notCalled(t.docker.login);
    sinon.assert.notCalled(t.docker.push);
  });
});
