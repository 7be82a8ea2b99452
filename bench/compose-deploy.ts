/**
 * ComposeDeploy@1 against the same deploy by hand, on the test bed's engine reached as a remote
 * Docker host over its `--tlsverify` listener, alternated in one run. Needs the test bed (Compose
 * v2) and a packaged .vsix (`npm run package`).
 *
 *   node -r ts-node/register/transpile-only bench/compose-deploy.ts [rounds=7]
 *
 * Each round redeploys the app of test/fixtures/compose-deploy-app with web's digest flipped
 * between two pushed builds (so web is really recreated and waited for; worker is left alone):
 *   - the task: from the unpacked .vsix as the agent runs it, with a Docker host service connection
 *     (the bed's client certificates) and a digest file;
 *   - by hand: an override file pinning the same digests, then `docker compose pull` and
 *     `docker compose up -d --remove-orphans --no-build --wait` with DOCKER_HOST, DOCKER_TLS_VERIFY and
 *     DOCKER_CERT_PATH set to the same host and certificates.
 * Each side deploys its own project; one unmeasured deploy of each comes first.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDigestFile } from '../src/digests/digest-file';
import { agentVariables, startVsixTask } from '../test/support/task-harness';
import { findTestBed } from '../test/support/testbed';
import { FIXTURES } from '../test/support/paths';
import { inAlternatingOrder, median } from './stats';

const APP = join(FIXTURES, 'compose-deploy-app');
const COMPOSE_FILE = join(APP, 'docker-compose.yml');
const ENDPOINT_ID = '00000000-0000-4000-8000-000000002376';
const rounds = Number(process.argv[2] ?? 7);
const bed = findTestBed();
if (!bed?.tls) throw new Error("The test bed (with its TLS listener) is not running: run 'scripts/test-infra.sh up'.");
const tls = bed.tls;
if (bed.toolchain !== 'modern') throw new Error('This benchmark compares against Compose v2 by hand: run it on the modern toolchain.');

const docker = (args: string[], env: NodeJS.ProcessEnv = bed.env): string =>
  execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function buildAndPush(registry: string, repo: string, version: string): string {
  const ref = `${registry}/${repo}:${version}`;
  docker(['build', '-q', '-t', ref, '--build-arg', `BASE_IMAGE=${bed!.baseImage}`, '--build-arg', `VERSION=${version}`, join(APP, 'app')]);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(docker(['push', ref]))?.[1];
  if (!digest) throw new Error(`docker push ${ref} printed no digest`);
  return digest;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'outerloop-bench-deploy-'));
  const registry = `${bed!.registry}/outerloop-bench-deploy-${randomBytes(3).toString('hex')}`;
  const web = [buildAndPush(registry, 'web', 'a'), buildAndPush(registry, 'web', 'b')];
  const worker = buildAndPush(registry, 'worker', 'a');
  const pem = (f: string): string => readFileSync(join(tls.certPath, f), 'utf8');
  const endpoint = {
    id: ENDPOINT_ID,
    url: tls.host,
    scheme: 'Certificate',
    parameters: { cacert: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem') },
  };
  const remote = { ...bed!.env, DOCKER_HOST: tls.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.certPath, REGISTRY: registry };
  const projects = { task: `deploybench-t-${randomBytes(3).toString('hex')}`, manual: `deploybench-m-${randomBytes(3).toString('hex')}` };

  async function byTask(webDigest: string): Promise<number> {
    const digestFile = join(work, 'image-digests.json');
    await writeFile(
      digestFile,
      formatDigestFile({
        version: 1,
        images: [
          { reference: `${registry}/web:1`, repository: `${registry}/web`, tag: '1', digest: webDigest },
          { reference: `${registry}/worker:1`, repository: `${registry}/worker`, tag: '1', digest: worker },
        ],
        pipeline: {},
      }),
    );
    const variables = await agentVariables({ 'System.DefaultWorkingDirectory': APP });
    const start = Date.now();
    const started = await startVsixTask('compose-deploy', {
      inputs: {
        composeFiles: 'docker-compose.yml',
        projectName: projects.task,
        environment: `REGISTRY=${registry}`,
        digestFile,
        dockerHostConnection: ENDPOINT_ID,
        waitTimeout: '60',
      },
      variables,
      endpoints: [endpoint],
      baseEnv: bed!.env,
    });
    const run = await started.done;
    const ms = Date.now() - start;
    await rm(join(variables['Agent.WorkFolder']), { recursive: true, force: true });
    if (run.result !== 'Succeeded') throw new Error(`ComposeDeploy failed:\n${run.output}`);
    return ms;
  }

  async function byHand(webDigest: string): Promise<number> {
    const override = join(work, 'pinned.yml');
    const start = Date.now();
    await writeFile(
      override,
      `services:\n  web:\n    image: ${registry}/web@${webDigest}\n  worker:\n    image: ${registry}/worker@${worker}\n`,
    );
    const files = ['-p', projects.manual, '-f', COMPOSE_FILE, '-f', override];
    docker(['compose', ...files, 'pull', '-q'], remote);
    docker(['compose', ...files, 'up', '-d', '--remove-orphans', '--no-build', '--wait', '--wait-timeout', '60'], remote);
    return Date.now() - start;
  }

  const task: number[] = [];
  const manual: number[] = [];
  try {
    await byTask(web[0]);
    await byHand(web[0]);
    for (let i = 0; i < rounds; i++) {
      const digest = web[(i + 1) % 2];
      await inAlternatingOrder(
        i,
        async () => void task.push(await byTask(digest)),
        async () => void manual.push(await byHand(digest)),
      );
      process.stdout.write(`round ${i + 1}/${rounds}: ComposeDeploy ${task[i]} ms, by hand ${manual[i]} ms\n`);
    }
  } finally {
    for (const project of Object.values(projects)) {
      const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])
        .split('\n')
        .filter(Boolean);
      if (ids.length > 0) docker(['rm', '-f', ...ids]);
      for (const kind of ['network', 'volume']) {
        const names = docker([kind, 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])
          .split('\n')
          .filter(Boolean);
        if (names.length > 0) docker([kind, 'rm', ...names]);
      }
    }
    const images = docker(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${registry}/*`])
      .split('\n')
      .filter(Boolean);
    if (images.length > 0) docker(['rmi', '-f', ...images]);
    for (const [repo, digest] of [
      ['web', web[0]],
      ['web', web[1]],
      ['worker', worker],
    ]) {
      await fetch(`http://${registry.split('/')[0]}/v2/${registry.split('/').slice(1).join('/')}/${repo}/manifests/${digest}`, {
        method: 'DELETE',
      });
    }
    await rm(work, { recursive: true, force: true });
  }
  const ratio = median(task) / median(manual);
  const paired = median(task.map((t, i) => t / manual[i]));
  console.log(`\nComposeDeploy@1 vs pull + up -d --wait by hand over TLS, ${rounds} alternated rounds (web's digest changes each round):`);
  console.log(`  median ComposeDeploy ${median(task)} ms, median by hand ${median(manual)} ms, ratio ${ratio.toFixed(3)} (goal <= 1.10)`);
  console.log(
    `  median of the per-round ratios ${paired.toFixed(3)}; load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
