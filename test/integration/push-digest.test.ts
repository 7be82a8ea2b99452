import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parseDigestFile } from '../../src/digests/digest-file';
import { NodeProcessRunner } from '../../src/process/runner';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';
import { requireTestBed, type TestBed } from '../support/testbed';

const runner = new NodeProcessRunner({ write: () => undefined });
const ENDPOINT_ID = 'PUSHREG';

/** What a registry says, asked independently of the task: HEAD with the Docker v2 Accept type. */
async function registryDigest(
  registry: string,
  repository: string,
  tag: string,
  auth?: { user: string; password: string },
): Promise<string | null> {
  const headers: Record<string, string> = { Accept: 'application/vnd.docker.distribution.manifest.v2+json' };
  if (auth) headers['Authorization'] = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers });
  assert.equal(response.status, 200, `HEAD ${registry}/${repository}:${tag}`);
  return response.headers.get('docker-content-digest');
}

/** A port on 127.0.0.1 with nothing listening: a registry that is down. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('PushDigest@1 on the test bed (from the unpacked .vsix, real engine and registries)', function () {
  let bed: TestBed;
  const suffix = randomBytes(4).toString('hex');
  const repo = (registry: string, name: string) => `${registry}/outerloop-pd-${suffix}/${name}`;
  const tags: string[] = [];
  const docker = async (args: string[], stdin?: string) => {
    const r = await runner.exec('docker', args, { env: bed.env, quiet: true, noEcho: true, stdin });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** Builds a small image unique to this run (a label on the base image) and tags it. */
  const image = async (...refs: string[]) => {
    await docker(
      ['build', '-q', '--label', `outerloop.test=${suffix}-${refs[0]}`, ...refs.flatMap((r) => ['-t', r]), '-'],
      `FROM ${bed.baseImage}\n`,
    );
    tags.push(...refs);
  };
  const endpoint = (password: string) => [
    { id: ENDPOINT_ID, url: `http://${bed.authRegistry}`, scheme: 'UsernamePassword', parameters: { username: bed.authUser, password } },
  ];

  before(function () {
    bed = requireTestBed(this);
  });
  after(async () => {
    if (tags.length > 0) await runner.exec('docker', ['rmi', ...tags], { env: bed.env, quiet: true, noEcho: true });
  });

  it('pushes to the open registry, records the digests the registry serves, and locks the compose file', async () => {
    const api = `${repo(bed.registry, 'api')}:1.0.${suffix}`;
    const web = `${repo(bed.registry, 'web')}:1.0.${suffix}`;
    await image(api);
    await image(web);
    const variables = await agentVariables({ PD_TAG: `1.0.${suffix}` });
    const sources = variables['Build.SourcesDirectory'];
    await mkdir(join(sources, 'api'), { recursive: true });
    await writeFile(join(sources, 'api', 'Dockerfile'), `FROM ${bed.baseImage}\n`);
    const compose =
      '# shop\nservices:\n' +
      `  api:\n    build: ./api\n    image: ${repo(bed.registry, 'api')}:\${PD_TAG}   # built here\n    init: true\n` +
      `  web:\n    image: "${web}"\n    depends_on: [api]\n` +
      `  cache:\n    image: ${bed.baseImage}\n`;
    await writeFile(join(sources, 'docker-compose.yml'), compose);
    const run = await runVsixTask('push-digest', {
      variables,
      baseEnv: { ...bed.env, PD_TAG: `1.0.${suffix}` },
      inputs: { images: `${api}\n${web}`, composeFiles: 'docker-compose.yml' },
    });
    assert.equal(run.result, 'Succeeded', describeRun(run));

    const digestFile = join(variables['Build.ArtifactStagingDirectory'], 'image-digests.json');
    const file = parseDigestFile(await readFile(digestFile, 'utf8'), digestFile);
    assert.deepEqual(file.pipeline, {
      buildNumber: '20261122.3',
      sourceVersion: variables['Build.SourceVersion'],
      buildUri: 'vstfs:///Build/Build/4242',
    });
    assert.deepEqual(
      file.images.map((i) => i.reference),
      [api, web],
    );
    for (const entry of file.images) {
      const served = await registryDigest(bed.registry, entry.repository.slice(bed.registry.length + 1), entry.tag);
      assert.equal(entry.digest, served, `${entry.reference}: recorded digest = registry's Docker-Content-Digest`);
    }
    const [apiDigest, webDigest] = file.images.map((i) => i.digest);
    // Why the Accept types matter: asked without them, registry 2.8 converts to schema 1, another digest.
    const schema1 = await fetch(`http://${bed.registry}/v2/outerloop-pd-${suffix}/api/manifests/1.0.${suffix}`, { method: 'HEAD' });
    assert.notEqual(schema1.headers.get('docker-content-digest'), apiDigest);
    assert.notEqual(apiDigest, webDigest, 'two different images');
    assert.deepEqual(run.outputs, {
      digest: apiDigest,
      imageRef: `${repo(bed.registry, 'api')}@${apiDigest}`,
      digests: JSON.stringify({ [api]: apiDigest, [web]: webDigest }),
      digestFile,
    });

    const lockedPath = join(variables['Build.ArtifactStagingDirectory'], 'docker-compose.locked.yml');
    const locked = await readFile(lockedPath, 'utf8');
    const services = (load(locked) as { services: Record<string, { image: string }> }).services;
    assert.equal(services['api'].image, `${repo(bed.registry, 'api')}@${apiDigest}`);
    assert.equal(services['web'].image, `${repo(bed.registry, 'web')}@${webDigest}`);
    assert.equal(services['cache'].image, bed.baseImage, 'an image this task did not push stays as it is');
    assert.ok(
      locked.startsWith('# Written by PushDigest@1: images pinned by digest. Generated; do not edit.\n# shop\n') &&
        locked.includes('   # built here\n'),
      'the rest of the document is kept',
    );
    assert.ok(
      run.commands.some(
        (c) =>
          c.command === 'task.issue' &&
          c.properties['type'] === 'warning' &&
          c.message.includes(`Service 'cache' keeps image '${bed.baseImage}' unpinned`),
      ),
      describeRun(run),
    );
    const uploads = run.commands.filter((c) => c.command === 'artifact.upload');
    assert.deepEqual(
      uploads.map((c) => [c.properties['artifactname'], c.message]),
      [
        ['image-digests', digestFile],
        ['image-digests', lockedPath],
      ],
    );
    // The run page's summary and the Outer loop tab's record: files under Agent.TempDirectory, with the same digests.
    const summary = run.commands.find((c) => c.command === 'task.uploadsummary');
    const record = run.commands.find((c) => c.command === 'task.addattachment');
    assert.ok(summary && record, describeRun(run));
    assert.deepEqual([record.properties['type'], record.properties['name']], ['outerloop.result', 'push-digest']);
    for (const c of [summary, record]) assert.ok(c.message.startsWith(variables['Agent.TempDirectory']), c.message);
    const attached = JSON.parse(await readFile(record.message, 'utf8')) as {
      schemaVersion: number;
      images: Array<{ reference: string; digest: string; verified: boolean }>;
    };
    assert.equal(attached.schemaVersion, 1);
    assert.deepEqual(
      attached.images.map((i) => [i.reference, i.digest, i.verified]),
      [
        [api, apiDigest, true],
        [web, webDigest, true],
      ],
    );
    const markdown = await readFile(summary.message, 'utf8');
    assert.match(markdown, /^### PushDigest: 2 images$/m);
    assert.ok(markdown.includes(`| ${api} | ${apiDigest} | yes |`), markdown);
    // Compose itself reads the pinned file (relative paths stay relative to the project folder).
    const config = await runner.exec('docker-compose', ['-f', lockedPath, '--project-directory', sources, 'config'], {
      env: bed.env,
      quiet: true,
      noEcho: true,
      cwd: sources,
    });
    assert.equal(config.code, 0, config.stderr);
    assert.ok(config.stdout.includes(`image: ${repo(bed.registry, 'api')}@${apiDigest}`), config.stdout);
  });

  it('pushes to the htpasswd registry through a service connection, and the password appears nowhere', async () => {
    const ref = `${repo(bed.authRegistry, 'secure')}:1`;
    await image(ref);
    const variables = await agentVariables({ 'System.Debug': 'true' });
    const run = await runVsixTask('push-digest', {
      variables,
      baseEnv: bed.env,
      inputs: { images: ref, containerRegistry: ENDPOINT_ID },
      endpoints: endpoint(bed.authPassword),
    });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const served = await registryDigest(bed.authRegistry, `outerloop-pd-${suffix}/secure`, '1', {
      user: bed.authUser,
      password: bed.authPassword,
    });
    assert.equal(run.outputs['digest'], served);
    assert.ok(run.secrets.includes(bed.authPassword), 'the password is registered as a secret');
    // The agent swallows its own ##vso[task.setsecret] lines; every other line is what users see.
    const visible = run.output.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'));
    assert.equal(visible.filter((l) => l.includes(bed.authPassword)).length, 0, 'the password is in no log line');
    const config = /docker --config (\S+) login/.exec(run.output)?.[1];
    assert.ok(config && !existsSync(config), `the temporary DOCKER_CONFIG ${config} is deleted`);
    for (const f of await filesUnder(variables['Agent.WorkFolder'])) {
      assert.ok(!(await readFile(f, 'utf8')).includes(bed.authPassword), `the password is not in ${f}`);
    }
  });

  it('fails clearly on a wrong password, with no digest file', async () => {
    const ref = `${repo(bed.authRegistry, 'secure')}:wrong`;
    await image(ref);
    const variables = await agentVariables();
    const wrong = `wrong-${suffix}`;
    const run = await runVsixTask('push-digest', {
      variables,
      baseEnv: bed.env,
      inputs: { images: ref, containerRegistry: ENDPOINT_ID },
      endpoints: endpoint(wrong),
    });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      new RegExp(`^docker login to ${bed.authRegistry.replace(/\./g, '\\.')} as ${bed.authUser} failed: .*401 Unauthorized`),
      describeRun(run),
    );
    assert.ok(!existsSync(join(variables['Build.ArtifactStagingDirectory'], 'image-digests.json')));
    assert.ok(
      !run.output.split('\n').some((l) => !l.startsWith('##vso[task.setsecret]') && l.includes(wrong)),
      'the password is in no log line',
    );
  });

  it('retries a registry that is down, then fails clearly and leaves no digest file', async () => {
    const port = await freePort();
    const ref = `127.0.0.1:${port}/outerloop-pd-${suffix}/down:1`;
    await image(ref);
    const variables = await agentVariables();
    const digestFile = join(variables['Build.ArtifactStagingDirectory'], 'image-digests.json');
    await writeFile(digestFile, '{"version":1,"images":[],"pipeline":{}}\n'); // an earlier run's
    const started = Date.now();
    const run = await runVsixTask('push-digest', { variables, baseEnv: bed.env, inputs: { images: ref, retries: '2' } });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      new RegExp(`^docker push ${ref.replace(/\./g, '\\.')} failed after 3 attempts: .*connection refused$`),
      describeRun(run),
    );
    assert.match(run.output, /retry 1 of 2 in 1 s\./);
    assert.match(run.output, /retry 2 of 2 in 2 s\./);
    assert.ok(Date.now() - started >= 3000, 'it waited 1 s, then 2 s');
    assert.ok(!existsSync(digestFile), 'no digest file, not even the earlier one');
    assert.ok(!/\n\s+at /.test(run.output), 'no stack trace');
    await stat(variables['Build.ArtifactStagingDirectory']);
  });

  it('retries a login through a service connection to a registry that is down, then fails clearly with no digest file', async () => {
    const port = await freePort();
    const ref = `127.0.0.1:${port}/outerloop-pd-${suffix}/down-login:1`;
    await image(ref);
    const variables = await agentVariables();
    const run = await runVsixTask('push-digest', {
      variables,
      baseEnv: bed.env,
      inputs: { images: ref, containerRegistry: ENDPOINT_ID, retries: '1' },
      endpoints: [
        {
          id: ENDPOINT_ID,
          url: `http://127.0.0.1:${port}`,
          scheme: 'UsernamePassword',
          parameters: { username: bed.authUser, password: bed.authPassword },
        },
      ],
    });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      new RegExp(
        `^docker login to 127\\.0\\.0\\.1:${port} as ${bed.authUser} failed: .*connection refused \\(gave up after 2 attempts\\)\\.$`,
      ),
      describeRun(run),
    );
    assert.match(run.output, /connection refused; retry 1 of 1 in 1 s\./);
    assert.ok(!run.output.includes('##[command]docker push'), 'nothing was pushed');
    assert.ok(!existsSync(join(variables['Build.ArtifactStagingDirectory'], 'image-digests.json')));
    assert.ok(
      !run.output.split('\n').some((l) => !l.startsWith('##vso[task.setsecret]') && l.includes(bed.authPassword)),
      'the password is in no log line',
    );
  });
});
