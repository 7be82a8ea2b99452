import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp as makeTemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { FileError, ToolError } from '../../../src/common/errors';
import { formatDigestFile, parseDigestFile } from '../../../src/digests/digest-file';
import type { PipelineOutput } from '../../../src/pipeline/interfaces';
import type { TaskContext } from '../../../src/pipeline/interfaces';
import type { ExecOptions, ExecResult } from '../../../src/process/runner';
import { readImages, type PushDigestInputs } from '../../../src/push-digest/inputs';
import { DigestError } from '../../../src/push-digest/plan';
import { LOCKED_HEADER, runPushDigest, type PushDigestDeps } from '../../../src/push-digest/run';
import { RegistryError, type Registry } from '../../../src/registry/registry';

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

type Exec = sinon.SinonStub<[string, readonly string[], ExecOptions?], Promise<ExecResult>>;

function fakeOutput(): { [K in keyof PipelineOutput]: sinon.SinonSpy } {
  return {
    info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy(), setSecret: sinon.spy(),
    setOutput: sinon.spy(), uploadArtifact: sinon.spy(), publishTestResults: sinon.spy(),
    uploadSummary: sinon.spy(), addAttachment: sinon.spy(),
  };
}

/** A docker that logs in, pushes (printing the digest) and answers inspect with RepoDigests. */
function fakeDocker(pushResults: Record<string, Array<Partial<ExecResult>>> = {}): Exec {
  const exec: Exec = sinon.stub();
  exec.callsFake(async (_file, args) => {
    if (args.includes('login')) return { code: 0, stdout: 'Login Succeeded', stderr: '' };
    if (args[0] === 'push') {
      const scripted = pushResults[args[1]]?.shift();
      if (scripted) return { code: 0, stdout: '', stderr: '', ...scripted };
      const digest = args[1] === API ? A : B;
      return { code: 0, stdout: `The push refers to repository [x]\n42: digest: ${digest} size: 736\n`, stderr: '' };
    }
    if (args[0] === 'image') return { code: 0, stdout: `["127.0.0.1:5001/shop/api@${A}"]\n["127.0.0.1:5001/shop/web@${B}","127.0.0.1:5000/other@${A}"]\n`, stderr: '' };
    throw new Error(`unexpected docker ${args.join(' ')}`);
  });
  return exec;
}

async function setup(overrides: Partial<PushDigestInputs> = {}, exec = fakeDocker(), served: Record<string, string> = { 'shop/api': A, 'shop/web': B }) {
  const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
  const inputs: PushDigestInputs = {
    images: readImages([API, WEB]),
    credentials: { registry: '127.0.0.1:5001', username: 'ci', password: PASSWORD },
    digestFile: join(dir, 'image-digests.json'),
    artifactName: 'image-digests',
    composeFiles: [],
    verify: true,
    retries: 3,
    pipeline: { buildNumber: '7' },
    tempDir: dir,
    ...overrides,
  };
  const output = fakeOutput();
  const manifestDigest = sinon.stub<Parameters<Registry['manifestDigest']>, ReturnType<Registry['manifestDigest']>>().callsFake(async (image) => served[image.path]);
  const sleep = sinon.stub().resolves();
  const context = { env: { input: () => undefined, variable: () => undefined, endpoint: () => undefined }, output, runner: { exec }, signal: new AbortController().signal, clock: Date.now } as TaskContext;
  const createRegistry = sinon.stub<Parameters<NonNullable<PushDigestDeps['createRegistry']>>, Registry>().returns({ manifestDigest });
  const run = () => runPushDigest(inputs, context, { sleep, createRegistry, environment: { TAG: '42' } });
  return { dir, inputs, output, exec, manifestDigest, createRegistry, sleep, run };
}

describe('runPushDigest (docker and registry faked)', () => {
  after(async () => {
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('logs in, pushes each image, has the registry confirm the digests docker printed, then writes the digest file and outputs', async () => {
    const t = await setup();
    const message = await t.run();
    assert.equal(message, `Pushed 2 images, verified with the registry, and recorded the digests in ${t.inputs.digestFile}.`);
    const calls = t.exec.getCalls().map((c) => c.args[1].filter((a) => !a.startsWith('/')).join(' '));
    assert.deepEqual(calls, [
      '--config login 127.0.0.1:5001 --username ci --password-stdin',
      `push ${API}`,
      `push ${WEB}`,
    ], 'the registry confirms what docker push printed: no docker image inspect');
    assert.equal(t.exec.firstCall.args[2]?.stdin, PASSWORD);
    for (const c of t.exec.getCalls()) assert.ok(!c.args[1].join(' ').includes(PASSWORD), 'no password in any argv');
    const pushEnv = t.exec.secondCall.args[2]?.env ?? {};
    assert.match(pushEnv['DOCKER_CONFIG'] ?? '', /outerloop-docker-/, 'docker push uses the temporary config');
    assert.ok(!existsSync(pushEnv['DOCKER_CONFIG']!), 'which is gone afterwards');
    sinon.assert.calledWith(t.output.setSecret, PASSWORD);
    assert.deepEqual(t.manifestDigest.getCalls().map((c) => c.args[0].path), ['shop/api', 'shop/web']);
    const file = parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x');
    assert.deepEqual(file.images.map((i) => [i.reference, i.digest]), [[API, A], [WEB, B]]);
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
    const exec = fakeDocker();
    const order: string[] = [];
    const t = await setup({ images: readImages([API, `${API.replace(':42', ':latest')}`, WEB]), verify: false }, exec);
    exec.callsFake(async (_file, args) => {
      if (args[0] === 'push') {
        order.push(`start ${args[1]}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${args[1]}`);
        const tag = args[1].split(':').pop();
        return { code: 0, stdout: `##vso[task.setvariable variable=x]evil\n${tag}: digest: ${args[1].includes('/api:') ? A : B} size: 1\n`, stderr: '' };
      }
      return { code: 0, stdout: `["127.0.0.1:5001/shop/api@${A}"]\n["127.0.0.1:5001/shop/api@${A}"]\n["127.0.0.1:5001/shop/web@${B}"]\n`, stderr: '' };
    });
    await t.run();
    const apiLatest = API.replace(':42', ':latest');
    assert.deepEqual(order, [`start ${API}`, `start ${WEB}`, `end ${API}`, `start ${apiLatest}`, `end ${WEB}`, `end ${apiLatest}`]);
    for (const c of exec.getCalls().filter((c) => c.args[1][0] === 'push')) assert.equal(c.args[2]?.quiet, true, 'concurrent pushes are captured');
    const blocks = t.output.info.getCalls().map((c) => String(c.args[0])).filter((m) => m.includes('digest:'));
    assert.equal(blocks.length, 3);
    for (const b of blocks) assert.ok(!b.includes('##vso['), `neutralized: ${b}`);
  });

  it('retries a push refused by a registry that is down, with backoff, and records the digest', async () => {
    const refused = { code: 1, stderr: 'Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused\n' };
    const t = await setup({}, fakeDocker({ [API]: [refused, refused] }));
    await t.run();
    assert.deepEqual(t.sleep.getCalls().map((c) => c.args[0]), [1000, 2000]);
    assert.ok(t.output.info.getCalls().some((c) => /^docker push 127\.0\.0\.1:5001\/shop\/api:42 failed \(Get .*connection refused\); retry 1 of 3 in 1 s\.$/.test(c.args[0])));
    assert.ok(existsSync(t.inputs.digestFile));
  });

  it('never deletes a file it did not write: a digestFile or lockedComposeFile naming another file is refused before anything runs', async () => {
    for (const input of ['digestFile', 'lockedComposeFile'] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
      const precious = join(dir, 'docker-compose.yml');
      await writeFile(precious, 'services:\n  api:\n    image: x\n');
      const compose = join(dir, 'compose.yaml');
      await writeFile(compose, 'services:\n  api:\n    image: 127.0.0.1:5001/shop/api:42\n');
      const t = await setup(input === 'digestFile' ? { digestFile: precious } : { composeFiles: [compose], lockedComposeFile: precious });
      await assert.rejects(t.run(), (err: unknown) => err instanceof FileError && err.message === `${precious}: ${input} names a file that is not one this task wrote: PushDigest never deletes or overwrites a file it did not create. Choose another path, or delete the file first.`);
      assert.equal(await readFile(precious, 'utf8'), 'services:\n  api:\n    image: x\n', `${input}: the file is untouched`);
      sinon.assert.notCalled(t.exec);
    }
  });

  it('replaces the locked compose file an earlier run wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const compose = join(dir, 'compose.yaml');
    await writeFile(compose, 'services:\n  api:\n    image: 127.0.0.1:5001/shop/api:42\n');
    const locked = join(dir, 'locked.yml');
    await writeFile(locked, `${LOCKED_HEADER}services: {}\n`);
    const t = await setup({ composeFiles: [compose], lockedComposeFile: locked });
    await t.run();
    assert.ok((await readFile(locked, 'utf8')).includes(`127.0.0.1:5001/shop/api@${A}`));
  });

  it('logs in through a temporary DOCKER_CONFIG under Agent.TempDirectory (the agent cleans it even after a SIGKILL)', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'outerloop-pd-agent-temp-'));
    const t = await setup({ tempDir: temp });
    await t.run();
    const login = t.exec.getCalls().find((c) => c.args[1].includes('login'))!;
    assert.ok(String(login.args[1][1]).startsWith(join(temp, 'outerloop-docker-')), String(login.args[1][1]));
  });

  it('fails after the retries, leaving no digest file (an earlier one is deleted)', async () => {
    const refused = { code: 1, stderr: 'dial tcp 127.0.0.1:5001: connect: connection refused\n' };
    const t = await setup({ retries: 2 }, fakeDocker({ [API]: [refused, refused, refused] }));
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

  /** Makes `docker login` answer each of `failures` in turn, then succeed as before. */
  function failLogins(exec: Exec, failures: string[]): void {
    const original = fakeDocker();
    exec.callsFake(async (file, args, options) => {
      if (args.includes('login') && failures.length > 0) return { code: 1, stdout: '', stderr: `${failures.shift()}\n` };
      return original(file, args, options);
    });
  }

  it('retries a docker login that a registry that is down refused, then pushes', async () => {
    const t = await setup();
    failLogins(t.exec, ['Error response from daemon: Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused']);
    await t.run();
    assert.deepEqual(t.sleep.getCalls().map((c) => c.args[0]), [1000]);
    assert.equal(t.exec.getCalls().filter((c) => c.args[1].includes('login')).length, 2);
    assert.ok(t.output.info.getCalls().some((c) => /^docker login to 127\.0\.0\.1:5001 as ci failed: .*connection refused; retry 1 of 3 in 1 s\.$/.test(String(c.args[0]))));
    assert.ok(existsSync(t.inputs.digestFile));
  });

  it('gives up on a registry that stays down at login, naming the attempts, with no digest file', async () => {
    const t = await setup({ retries: 1 });
    const refused = 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused';
    failLogins(t.exec, [refused, refused]);
    await assert.rejects(t.run(), { message: `docker login to 127.0.0.1:5001 as ci failed: ${refused} (gave up after 2 attempts).` });
    assert.ok(!t.exec.getCalls().some((c) => c.args[1][0] === 'push'));
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('fails at once when the registry rejects the login', async () => {
    const t = await setup();
    const rejected = 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": unauthorized: authentication required';
    failLogins(t.exec, [rejected]);
    await assert.rejects(t.run(), { message: `docker login to 127.0.0.1:5001 as ci failed: ${rejected}` });
    sinon.assert.notCalled(t.sleep);
  });

  it('fails at once when the registry denies the push', async () => {
    const t = await setup({}, fakeDocker({ [API]: [{ code: 1, stderr: 'unauthorized: authentication required\n' }] }));
    await assert.rejects(t.run(), { message: `docker push ${API} failed: unauthorized: authentication required` });
    sinon.assert.notCalled(t.sleep);
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('refuses a digest the registry does not confirm, and writes nothing', async () => {
    const t = await setup({}, undefined, { 'shop/api': A, 'shop/web': A });
    await assert.rejects(t.run(), (err: unknown) => err instanceof DigestError && err.message.startsWith(`The registry serves ${A} for ${WEB}, but the engine pushed ${B}`));
    assert.ok(!existsSync(t.inputs.digestFile));
  });

  it('passes on a registry failure as it is, and writes nothing', async () => {
    const t = await setup();
    t.manifestDigest.rejects(new RegistryError('127.0.0.1:5001', 'Registry 127.0.0.1:5001 has no manifest for shop/api:42 (404 Not Found).', false, 404));
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

  it('neutralizes logging commands in the reasons it logs for retries (docker\'s and the registry\'s text)', async () => {
    const evil = { code: 1, stderr: 'received unexpected HTTP status: 503 ##vso[task.setvariable variable=pwned]1\n' };
    const t = await setup({}, fakeDocker({ [API]: [evil] }));
    t.createRegistry.callsFake((_retry, _inputs, onRetry) => ({
      manifestDigest: async (image) => {
        onRetry('Registry 127.0.0.1:5001: answered 503 ##vso[task.complete result=Failed]x for shop/api:42; retry 1 of 3 in 1 s.');
        return image.path === 'shop/api' ? A : B;
      },
    }));
    await t.run();
    const lines = t.output.info.getCalls().map((c) => String(c.args[0]));
    assert.ok(lines.some((l) => l.includes('##~vso[task.setvariable')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('##~vso[task.complete')), lines.join('\n'));
    assert.deepEqual(lines.filter((l) => /##vso\[/i.test(l)), []);
  });

  it('skips the registry with verify: false, and checks the printed digests against the engine\'s RepoDigests instead', async () => {
    const t = await setup({ verify: false, credentials: undefined });
    assert.equal(await t.run(), `Pushed 2 images and recorded the digests in ${t.inputs.digestFile}.`);
    sinon.assert.notCalled(t.manifestDigest);
    assert.deepEqual(t.exec.firstCall.args[1], ['push', API], 'no login without a connection');
    assert.deepEqual(t.exec.lastCall.args[1], ['image', 'inspect', '--format', '{{json .RepoDigests}}', API, WEB]);
    assert.deepEqual(parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x').images.map((i) => i.digest), [A, B]);
  });

  it('reads the engine\'s RepoDigests when docker push printed no digest, and still has the registry confirm them', async () => {
    const t = await setup({}, fakeDocker({ [WEB]: [{ stdout: 'The push refers to repository [x]\n' }] }));
    await t.run();
    assert.deepEqual(t.exec.lastCall.args[1].slice(0, 2), ['image', 'inspect']);
    sinon.assert.calledTwice(t.manifestDigest);
    assert.deepEqual(parseDigestFile(await readFile(t.inputs.digestFile, 'utf8'), 'x').images.map((i) => i.digest), [A, B]);
  });

  it('writes and publishes the locked compose file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const compose = join(dir, 'docker-compose.yml');
    await writeFile(compose, 'services:\n  api:\n    build: .\n    image: 127.0.0.1:5001/shop/api:${TAG}\n  web:\n    image: 127.0.0.1:5001/shop/web:42\n  db:\n    image: redis:7\n');
    const locked = join(dir, 'locked.yml');
    const t = await setup({ composeFiles: [compose], lockedComposeFile: locked });
    await t.run();
    assert.equal(await readFile(locked, 'utf8'), `${LOCKED_HEADER}services:\n  api:\n    build: .\n    image: 127.0.0.1:5001/shop/api@${A}\n  web:\n    image: 127.0.0.1:5001/shop/web@${B}\n  db:\n    image: redis:7\n`);
    sinon.assert.calledWith(t.output.warning, "Service 'db' keeps image 'redis:7' unpinned: this task did not push it.");
    assert.deepEqual(t.output.uploadArtifact.getCalls().map((c) => c.args), [['image-digests', t.inputs.digestFile], ['image-digests', locked]]);
  });

  it('checks the compose files before pushing anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-pd-unit-'));
    const compose = join(dir, 'docker-compose.yml');
    await writeFile(compose, 'services:\n  worker:\n    build: .\n    image: 127.0.0.1:5001/shop/worker:42\n');
    const t = await setup({ composeFiles: [compose], lockedComposeFile: join(dir, 'locked.yml') });
    await assert.rejects(t.run(), (err: unknown) => err instanceof FileError && err.message.includes("services.worker.image '127.0.0.1:5001/shop/worker:42' is built by this project"));
    sinon.assert.notCalled(t.exec);
  });
});
