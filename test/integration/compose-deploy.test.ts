import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointSpec, TaskRun } from '../../src/local-run/agent/task-process';
import { formatDigestFile, type DigestFileImage } from '../../src/digests/digest-file';
import { FIXTURES } from '../support/paths';
import { startTestSshd, type TestSshd } from '../support/sshd';
import { agentVariables, describeRun, isTaskLeftover, startVsixTask } from '../support/task-harness';
import { requireTestBed, type TestBed } from '../support/testbed';

/**
 * ComposeDeploy@1 from the .vsix against the test bed's real engine, reached as a remote Docker
 * host: over its `--tlsverify` listener (a Docker host service connection with the bed's client
 * certificates) and over SSH (a loopback sshd, scripts/sshd.sh). Images are built FROM the bed's
 * busybox and pushed to its open registry; each case deploys by the digests the pushes returned.
 */

const APP = join(FIXTURES, 'compose-deploy-app');
const LABEL = 'com.docker.compose.project';
const TLS_ID = '00000000-0000-4000-8000-000000002376';
const SSH_ID = '00000000-0000-4000-8000-000000000022';

describe('ComposeDeploy@1 on the test bed (run from the unpacked .vsix)', function () {
  this.timeout(240000);
  let bed: TestBed;
  let work: string;
  let registry: string;
  /** Digests of the pushed builds: web v1, web v2, web that never turns healthy, worker v1. */
  const digests: Record<'web1' | 'web2' | 'webBad' | 'worker1', string> = { web1: '', web2: '', webBad: '', worker1: '' };
  const projects: string[] = [];
  /** Registry namespaces the test pushed to, and each manifest pushed (`host/path`, digest). */
  const namespaces: string[] = [];
  const pushedManifests: Array<[string, string]> = [];
  let tlsEndpoint: EndpointSpec;

  const docker = (...args: string[]): string =>
    execFileSync('docker', args, { env: bed.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  /** Builds the app's image with `args` and pushes it as `repo:tag`; returns the pushed digest. */
  function buildAndPush(repo: string, tag: string, args: Record<string, string>): string {
    const ref = `${registry}/${repo}:${tag}`;
    const buildArgs = Object.entries({ BASE_IMAGE: bed.baseImage, ...args }).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    docker('build', '-q', '-t', ref, ...buildArgs, join(APP, 'app'));
    const pushed = docker('push', ref);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
    assert.ok(digest, `docker push ${ref} printed no digest:\n${pushed}`);
    pushedManifests.push([`${registry}/${repo}`, digest]);
    return digest;
  }

  before(async function () {
    bed = requireTestBed(this);
    assert.ok(bed.tls, 'the test bed has its TLS listener (OUTERLOOP_TEST_DOCKER_TLS_HOST)');
    work = await mkdtemp(join(tmpdir(), 'outerloop-compose-deploy-'));
    registry = `${bed.registry}/outerloop-deploy-${randomBytes(3).toString('hex')}`;
    namespaces.push(registry);
    digests.web1 = buildAndPush('web', 'v1', { VERSION: 'web-1' });
    digests.web2 = buildAndPush('web', 'v2', { VERSION: 'web-2' });
    digests.webBad = buildAndPush('web', 'bad', { VERSION: 'web-bad', HEALTHY: 'no' });
    digests.worker1 = buildAndPush('worker', 'v1', { VERSION: 'worker-1' });
    const pem = (file: string): string => readFileSync(join(bed.tls!.certPath, file), 'utf8');
    tlsEndpoint = {
      id: TLS_ID,
      url: bed.tls!.host,
      scheme: 'Certificate',
      parameters: { cacert: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem') },
    };
  });

  after(async () => {
    for (const project of projects) {
      const ids = docker('ps', '-aq', '--filter', `label=${LABEL}=${project}`).split('\n').filter(Boolean);
      if (ids.length > 0) docker('rm', '-f', ...ids);
      for (const kind of ['network', 'volume'] as const) {
        const names = docker(kind, 'ls', '-q', '--filter', `label=${LABEL}=${project}`).split('\n').filter(Boolean);
        if (names.length > 0) docker(kind, 'rm', ...names);
      }
    }
    // The images it built and pushed: the local tags, and the manifests in the test registries.
    for (const namespace of namespaces) {
      // By id: what the deploys pulled by digest alone has no tag to name it by.
      const ids = docker('images', '-q', '--filter', `reference=${namespace}/*`).split('\n').filter(Boolean);
      if (ids.length > 0) docker('rmi', '-f', ...new Set(ids));
    }
    for (const [repository, digest] of pushedManifests) {
      const [host, ...path] = repository.split('/');
      const auth =
        host === bed.authRegistry
          ? { Authorization: `Basic ${Buffer.from(`${bed.authUser}:${bed.authPassword}`).toString('base64')}` }
          : undefined;
      await fetch(`http://${host}/v2/${path.join('/')}/manifests/${digest}`, { method: 'DELETE', headers: auth });
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  function newProject(): string {
    const project = `deploy-${randomBytes(4).toString('hex')}`;
    projects.push(project);
    return project;
  }

  /** A digest file mapping the compose file's `web:1` and `worker:1` to the given pushed digests. */
  async function digestFile(web: string, worker: string | undefined, buildNumber = '20261129.1'): Promise<string> {
    const images: DigestFileImage[] = [{ reference: `${registry}/web:1`, repository: `${registry}/web`, tag: '1', digest: web }];
    if (worker) images.push({ reference: `${registry}/worker:1`, repository: `${registry}/worker`, tag: '1', digest: worker });
    const file = join(work, `${randomBytes(4).toString('hex')}.json`);
    await writeFile(file, formatDigestFile({ version: 1, images, pipeline: { buildNumber, sourceVersion: 'abc123' } }));
    return file;
  }

  interface Deploy {
    run: TaskRun;
    temp: string;
  }

  /** Runs the task from the .vsix on the fixture app; `onLine` may signal it. */
  async function deploy(
    project: string,
    inputs: Record<string, string>,
    options: { endpoints?: EndpointSpec[]; onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void } = {},
  ): Promise<Deploy> {
    const variables = await agentVariables({ 'System.DefaultWorkingDirectory': APP });
    let kill = (_signal: NodeJS.Signals): void => undefined;
    const started = await startVsixTask('compose-deploy', {
      inputs: {
        composeFiles: 'docker-compose.yml',
        projectName: project,
        environment: `REGISTRY=${registry}`,
        waitTimeout: '60',
        ...inputs,
      },
      variables,
      endpoints: options.endpoints ?? [tlsEndpoint],
      baseEnv: bed.env,
      onLine: options.onLine ? (line) => options.onLine!(line, (signal) => kill(signal)) : undefined,
    });
    kill = (signal) => started.child.kill(signal);
    return { run: await started.done, temp: variables['Agent.TempDirectory'] };
  }

  /** What the task may leave in Agent.TempDirectory: nothing but the agent's own (certificates, keys, logins, override: gone). */
  async function assertNothingLeft(temp: string): Promise<void> {
    assert.deepEqual((await readdir(temp)).filter(isTaskLeftover), []);
  }

  interface Container {
    id: string;
    image: string;
    health: string;
    labels: Record<string, string>;
  }

  function containers(project: string): Record<string, Container> {
    const ids = docker('ps', '-aq', '--no-trunc', '--filter', `label=${LABEL}=${project}`).split('\n').filter(Boolean);
    if (ids.length === 0) return {};
    const raw = JSON.parse(docker('inspect', ...ids)) as Array<{
      Id: string;
      Config: { Image: string; Labels: Record<string, string> };
      State: { Status: string; Health?: { Status: string } };
    }>;
    return Object.fromEntries(
      raw.map((c) => [
        c.Config.Labels['com.docker.compose.service'],
        { id: c.Id, image: c.Config.Image, health: c.State.Health?.Status ?? c.State.Status, labels: c.Config.Labels },
      ]),
    );
  }

  /** The log without the lines that register secrets (which carry them, for the agent to mask). */
  const logLines = (run: TaskRun): string =>
    run.output
      .split('\n')
      .filter((l) => !l.startsWith('##vso[task.setsecret]'))
      .join('\n');

  const web = (digest: string): string => `${registry}/web@${digest}`;
  const worker = (digest: string): string => `${registry}/worker@${digest}`;

  describe('over TLS, one project from release to release', () => {
    let project: string;
    before(() => {
      project = newProject();
    });

    it('a first deploy: every service pinned by digest, labelled with the run, healthy; the certificates removed', async () => {
      const { run, temp } = await deploy(project, {
        digestFile: await digestFile(digests.web1, digests.worker1),
        dockerHostConnection: TLS_ID,
      });
      assert.equal(run.result, 'Succeeded', describeRun(run));
      const now = containers(project);
      assert.equal(now['web'].image, web(digests.web1));
      assert.equal(now['worker'].image, worker(digests.worker1));
      assert.equal(now['web'].health, 'healthy');
      assert.equal(now['worker'].health, 'running');
      assert.equal(now['web'].labels['outerloop.io/build-number'], '20261129.1');
      assert.equal(now['web'].labels['outerloop.io/source-version'], 'abc123');
      assert.equal(now['web'].labels['outerloop.io/pipeline-run-url'], 'https://dev.azure.com/contoso/shop/_build/results?buildId=4242');
      assert.equal(now['web'].labels['outerloop.io/image-digests'], `web=${web(digests.web1)}`);
      assert.equal(run.outputs['projectName'], project);
      assert.equal(run.outputs['deployedImages'], `web=${web(digests.web1)},worker=${worker(digests.worker1)}`);
      assert.equal(run.outputs['previousImages'], '');
      assert.match(run.output, /a first deploy/);
      assert.ok(!logLines(run).includes(tlsEndpoint.parameters['key'].split('\n')[1]), 'the client key never reaches the log');
      assert.ok(run.secrets.includes(tlsEndpoint.parameters['key'].split('\n')[1]), 'the client key is registered as a secret');
      await assertNothingLeft(temp);
      docker('exec', now['web'].id, 'sh', '-c', 'echo kept > /data/proof');
    });

    it('a redeploy with one changed digest recreates only that service; the volume keeps its data', async () => {
      const before = containers(project);
      const { run, temp } = await deploy(project, {
        digestFile: await digestFile(digests.web2, digests.worker1, '20261129.2'),
        dockerHostConnection: TLS_ID,
      });
      assert.equal(run.result, 'Succeeded', describeRun(run));
      const now = containers(project);
      assert.notEqual(now['web'].id, before['web'].id, 'web runs a new container');
      assert.equal(now['web'].image, web(digests.web2));
      assert.equal(now['web'].labels['outerloop.io/build-number'], '20261129.2');
      assert.equal(now['worker'].id, before['worker'].id, 'worker, whose digest did not change, keeps its container');
      assert.equal(
        now['worker'].labels['outerloop.io/build-number'],
        '20261129.1',
        'worker keeps the labels of the run that deployed its image',
      );
      assert.equal(run.outputs['previousImages'], `web=${web(digests.web1)},worker=${worker(digests.worker1)}`);
      assert.equal(docker('exec', now['web'].id, 'cat', '/data/proof').trim(), 'kept');
      await assertNothingLeft(temp);
    });

    it('a new image that never turns healthy: its health log shown, rolled back to the previous digests, healthy again, Failed with the reason', async () => {
      const before = containers(project);
      const { run, temp } = await deploy(project, {
        digestFile: await digestFile(digests.webBad, digests.worker1, '20261129.3'),
        dockerHostConnection: TLS_ID,
      });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.match(run.message ?? '', /^Service 'web' turned unhealthy.*Rolled back to the previous images, which are ready again\.$/);
      assert.ok(!(run.message ?? '').includes('\n'), 'one sentence on one line');
      assert.match(run.output, /--- last \d+ health check\(s\) of web ---/);
      assert.match(run.output, /--- last \d+ log line\(s\) of web/);
      const now = containers(project);
      assert.equal(now['web'].image, web(digests.web2), 'web runs the previous digest again');
      assert.equal(now['web'].health, 'healthy');
      assert.equal(now['web'].labels['outerloop.io/build-number'], '20261129.2', 'with its labels as they were');
      assert.equal(now['worker'].id, before['worker'].id);
      assert.equal(docker('exec', now['web'].id, 'cat', '/data/proof').trim(), 'kept', "the volume's data survives the rollback");
      await assertNothingLeft(temp);
    });

    it('down removes the containers and networks, never the volume', async () => {
      const { run, temp } = await deploy(project, { action: 'down', dockerHostConnection: TLS_ID });
      assert.equal(run.result, 'Succeeded', describeRun(run));
      assert.deepEqual(containers(project), {});
      assert.deepEqual(docker('volume', 'ls', '-q', '--filter', `label=${LABEL}=${project}`).split('\n').filter(Boolean), [
        `${project}_data`,
      ]);
      await assertNothingLeft(temp);
    });
  });

  it('a wrong client certificate: one sentence naming the host and the connection, nothing deployed, nothing left', async () => {
    const dir = await mkdtemp(join(work, 'wrong-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=stranger',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const wrong: EndpointSpec = {
      ...tlsEndpoint,
      parameters: {
        ...tlsEndpoint.parameters,
        cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
        key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      },
    };
    const project = newProject();
    const { run, temp } = await deploy(
      project,
      { digestFile: await digestFile(digests.web1, digests.worker1), dockerHostConnection: TLS_ID },
      { endpoints: [wrong] },
    );
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      /^Could not reach the Docker engine at tcp:\/\/127\.0\.0\.1:2376 \(input 'dockerHostConnection'\): .*(certificate|tls)/i,
    );
    assert.match(
      run.output,
      /##vso\[task\.addattachment type=outerloop\.result;name=compose-deploy;\]/,
      'the failure is recorded for the run too',
    );
    assert.ok(!(run.message ?? '').includes('\n'));
    assert.deepEqual(containers(project), {});
    await assertNothingLeft(temp);
  });

  it('an image the project builds without a digest, with requirePinned: refused before anything changes', async () => {
    const project = newProject();
    const { run, temp } = await deploy(project, { digestFile: await digestFile(digests.web1, undefined), dockerHostConnection: TLS_ID });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      new RegExp(`has no digest for image '${registry.replace(/[.]/g, '\\.')}/worker:1' of service 'worker'.*requirePinned`),
    );
    assert.deepEqual(containers(project), {});
    await assertNothingLeft(temp);
  });

  it('cancellation during the wait: the task stops at once, says so, and leaves no certificate behind', async () => {
    const project = newProject();
    // A healthcheck that stays `starting` for two minutes: the wait would last until waitTimeout.
    const slow = join(work, `${project}-slow.yml`);
    await writeFile(
      slow,
      'services:\n  web:\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      start_period: 120s\n',
    );
    let sent = 0;
    const started = Date.now();
    const { run, temp } = await deploy(
      project,
      {
        composeFiles: `docker-compose.yml\n${slow}`,
        digestFile: await digestFile(digests.web1, digests.worker1),
        dockerHostConnection: TLS_ID,
        waitTimeout: '180',
      },
      {
        onLine: (line, kill) => {
          if (!sent && /##\[command\].* up -d /.test(line)) {
            sent = Date.now();
            setTimeout(() => kill('SIGINT'), 2000);
          }
        },
      },
    );
    assert.ok(sent > 0, describeRun(run));
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.message ?? '', /cancelled/);
    assert.ok(Date.now() - started < 90000, 'it stopped long before the wait would have ended');
    await assertNothingLeft(temp);
  });

  it('pulls from a registry that needs a login (containerRegistry) through a temporary DOCKER_CONFIG, and leaves no credentials', async () => {
    // The same builds, pushed to the bed's htpasswd registry with a login of the test's own.
    const config = await mkdtemp(join(work, 'login-'));
    execFileSync('docker', ['--config', config, 'login', bed.authRegistry, '--username', bed.authUser, '--password-stdin'], {
      env: bed.env,
      input: bed.authPassword,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const secure = `${bed.authRegistry}/outerloop-deploy-${randomBytes(3).toString('hex')}`;
    namespaces.push(secure);
    const pushed: Record<string, string> = {};
    for (const [name, digest] of [
      ['web', digests.web1],
      ['worker', digests.worker1],
    ] as const) {
      const from = `${registry}/${name}@${digest}`;
      docker('tag', from, `${secure}/${name}:1`);
      const out = execFileSync('docker', ['--config', config, 'push', `${secure}/${name}:1`], { env: bed.env, encoding: 'utf8' });
      pushed[name] = /digest: (sha256:[0-9a-f]{64})/.exec(out)![1];
      pushedManifests.push([`${secure}/${name}`, pushed[name]]);
      docker('image', 'rm', `${secure}/${name}:1`);
    }
    const file = join(work, `${randomBytes(4).toString('hex')}.json`);
    await writeFile(
      file,
      formatDigestFile({
        version: 1,
        images: ['web', 'worker'].map((n) => ({
          reference: `${secure}/${n}:1`,
          repository: `${secure}/${n}`,
          tag: '1',
          digest: pushed[n],
        })),
        pipeline: {},
      }),
    );
    const project = newProject();
    const registryEndpoint: EndpointSpec = {
      id: '00000000-0000-4000-8000-000000005001',
      url: `http://${bed.authRegistry}`,
      scheme: 'UsernamePassword',
      parameters: { username: bed.authUser, password: bed.authPassword },
    };
    const inputs = { environment: `REGISTRY=${secure}`, digestFile: file, dockerHostConnection: TLS_ID };
    const { run: refused } = await deploy(project, inputs);
    assert.equal(refused.result, 'Failed', `without the login the registry refuses the pull:\n${describeRun(refused)}`);
    assert.match(refused.message ?? '', /^Compose could not pull the images: /);
    const { run, temp } = await deploy(
      project,
      { ...inputs, containerRegistry: registryEndpoint.id },
      { endpoints: [tlsEndpoint, registryEndpoint] },
    );
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assert.match(
      run.output,
      new RegExp(`^Logged in to ${bed.authRegistry.replace(/[.]/g, '\\.')} as ${bed.authUser} \\(temporary DOCKER_CONFIG\\)\\.$`, 'm'),
    );
    assert.ok(run.secrets.includes(bed.authPassword));
    assert.ok(!logLines(run).includes(bed.authPassword), 'the password never reaches the log');
    assert.equal(containers(project)['web'].image, `${secure}/web@${pushed['web']}`);
    await assertNothingLeft(temp);
    await rm(config, { recursive: true, force: true });
  });

  describe('over SSH', () => {
    let sshd: TestSshd;
    before(async () => {
      sshd = await startTestSshd(bed);
    });
    after(async () => {
      await sshd?.stop();
    });

    it('deploys through ssh://user@127.0.0.1:port with the connection’s key, removed afterwards', async () => {
      const project = newProject();
      const endpoint: EndpointSpec = {
        id: SSH_ID,
        url: `ssh://${sshd.host}`,
        scheme: 'UsernamePassword',
        parameters: { username: sshd.user, password: '' },
        data: { host: sshd.host, port: String(sshd.port), privateKey: sshd.privateKey },
      };
      const { run, temp } = await deploy(
        project,
        { digestFile: await digestFile(digests.web1, digests.worker1), sshConnection: SSH_ID },
        { endpoints: [endpoint] },
      );
      if (bed.toolchain === 'legacy') {
        // Debian's Compose v1 reaches ssh:// hosts only through Python's paramiko, which it lacks:
        // it says so, before anything changes on the host.
        assert.equal(run.result, 'Failed', describeRun(run));
        assert.match(run.message ?? '', /^Compose could not pull the images: .*paramiko/);
        assert.deepEqual(containers(project), {});
        await assertNothingLeft(temp);
        return;
      }
      assert.equal(run.result, 'Succeeded', describeRun(run));
      assert.match(
        run.output,
        new RegExp(`^Project '${project}' on ssh://${sshd.user}@127\\.0\\.0\\.1:${sshd.port}, with Compose v2\\.$`, 'm'),
      );
      const now = containers(project);
      assert.equal(now['web'].image, web(digests.web1));
      assert.equal(now['web'].health, 'healthy');
      assert.ok(!logLines(run).includes(sshd.privateKey.split('\n')[1]), 'the private key never reaches the log');
      await assertNothingLeft(temp);
    });
  });
});
