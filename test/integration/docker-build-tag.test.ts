import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeProcessRunner } from '../../src/process/runner';
import { agentVariables, describeRun, isTaskLeftover, runVsixTask, type HarnessSpec } from '../support/task-harness';
import { requireTestBed, type TestBed } from '../support/testbed';

/** The agent passes a service connection's GUID as the input's value. */
const CONNECTION_ID = '6f1c2a9e-4b7d-4e0a-9c3b-5d2e8f7a1b00';
const runner = new NodeProcessRunner({ write: () => undefined });

/** Runs docker against the test bed and returns stdout; fails the test on a non-zero exit. */
async function docker(bed: TestBed, args: string[], stdin?: string): Promise<string> {
  const r = await runner.exec('docker', args, { env: bed.env, quiet: true, noEcho: true, stdin });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

interface Inspected {
  Id: string;
  RepoTags: string[];
  Config: { Labels: Record<string, string> | null };
  RootFS: { Layers: string[] };
}

async function inspect(bed: TestBed, ref: string): Promise<Inspected> {
  return (JSON.parse(await docker(bed, ['image', 'inspect', ref])) as Inspected[])[0];
}

/** A source tree with `files` (path → content) under a fresh agent work folder. */
async function sources(files: Record<string, string>, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const variables = await agentVariables(overrides);
  for (const [path, content] of Object.entries(files)) {
    const full = join(variables['Build.SourcesDirectory'], path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, content);
  }
  return variables;
}

describe('DockerBuildTag@1 on the test bed (real engine, task run from the .vsix)', function () {
  let bed: TestBed;
  const suffix = randomBytes(4).toString('hex');
  const repository = `outerloop-test/build-tag-${suffix}`;
  const created: string[] = [];
  const removeFromRegistry: Array<() => Promise<void>> = [];

  before(function () {
    bed = requireTestBed(this);
  });

  after(async () => {
    if (!bed) return;
    for (const remove of removeFromRegistry) await remove();
    if (created.length > 0)
      await runner.exec('docker', ['image', 'rm', '--force', ...created], { env: bed.env, quiet: true, noEcho: true });
  });

  async function run(
    inputs: Record<string, string>,
    variables: Record<string, string>,
    extra: Pick<HarnessSpec, 'endpoints' | 'secrets'> = {},
  ) {
    const result = await runVsixTask('docker-build-tag', { inputs, variables, baseEnv: bed.env, ...extra });
    created.push(...(result.outputs['imageReferences'] ?? '').split('\n').filter(Boolean));
    return result;
  }

  it('builds and tags a real image; tags, labels, the build argument and every output match docker image inspect', async () => {
    const variables = await sources(
      {
        'services/api/Dockerfile': [
          `FROM ${bed.baseImage}`,
          'ARG GREETING=unset',
          'RUN echo "$GREETING" > /greeting.txt',
          'LABEL greeting=$GREETING',
          // A Dockerfile must not be able to drive the pipeline by printing logging commands.
          'RUN echo "##vso[task.setvariable variable=pwned]1" && echo "##vso[task.complete result=Failed]from the build"',
          '',
        ].join('\n'),
      },
      { 'Build.SourceBranch': 'refs/heads/feature/Login page' },
    );
    const result = await run(
      {
        repository: repository.toUpperCase(),
        dockerfile: 'services/api/Dockerfile',
        tags: '$(Build.BuildNumber), ci/extra\n///',
        buildArgs: 'GREETING=hello from the pipeline',
        labels: 'team=checkout\norg.opencontainers.image.title=Shop API',
      },
      variables,
    );
    assert.equal(result.result, 'Succeeded', describeRun(result));

    const warnings = result.commands.filter((c) => c.command === 'task.issue' && c.properties['type'] === 'warning').map((c) => c.message);
    assert.deepEqual(warnings, ["Tag '///' was dropped: nothing of it is valid in a Docker tag."]);
    const expectedTags = ['20261122.3', 'ci-extra', 'feature-Login-page', 'sha-0123456'];
    assert.deepEqual(result.outputs, {
      imageId: result.outputs['imageId'],
      repository,
      tags: expectedTags.join(','),
      imageReferences: expectedTags.map((t) => `${repository}:${t}`).join('\n'),
      version: '20261122.3',
    });
    const image = await inspect(bed, result.outputs['imageId']);
    assert.match(image.Id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(image.Id, result.outputs['imageId']);
    assert.deepEqual([...image.RepoTags].sort(), expectedTags.map((t) => `${repository}:${t}`).sort());
    for (const ref of result.outputs['imageReferences'].split('\n')) assert.equal((await inspect(bed, ref)).Id, image.Id, ref);

    const labels = image.Config.Labels ?? {};
    assert.equal(labels['greeting'], 'hello from the pipeline', 'the build argument reached the Dockerfile');
    assert.equal(labels['team'], 'checkout');
    assert.equal(labels['org.opencontainers.image.title'], 'Shop API', 'a user label wins over the generated one');
    assert.equal(labels['org.opencontainers.image.revision'], variables['Build.SourceVersion']);
    assert.equal(labels['org.opencontainers.image.source'], variables['Build.Repository.Uri']);
    assert.equal(labels['org.opencontainers.image.version'], '20261122.3');
    assert.ok(
      Math.abs(Date.parse(labels['org.opencontainers.image.created']) - Date.now()) < 10 * 60_000,
      labels['org.opencontainers.image.created'],
    );
    assert.equal(labels['com.azure.dev.image.build.buildnumber'], '20261122.3');
    assert.equal(labels['com.azure.dev.image.build.builduri'], variables['Build.BuildUri']);
    assert.equal(labels['com.azure.dev.image.build.sourcebranch'], 'refs/heads/feature/Login page');
    assert.equal(labels['com.azure.dev.image.system.teamproject'], 'shop');

    const greeting = await runner.exec('docker', ['run', '--rm', image.Id, 'cat', '/greeting.txt'], {
      env: bed.env,
      quiet: true,
      noEcho: true,
    });
    assert.equal(greeting.stdout.trim(), 'hello from the pipeline', greeting.stderr);

    // One build: buildx takes the labels as --label flags, the classic builder as one appended LABEL line.
    assert.equal(result.output.match(/^##\[command\]docker (buildx )?build /gm)?.length, 1, describeRun(result));
    // The build's own output streamed live, neutralized: no variable set, one task.complete (the task's).
    assert.match(result.output, /##~vso\[task\.setvariable variable=pwned\]1/);
    assert.ok(!('pwned' in result.variables), describeRun(result));
    assert.deepEqual(
      result.commands.filter((c) => c.command === 'task.complete').map((c) => c.properties['result']),
      ['Succeeded'],
    );
    assert.deepEqual(await leftovers(variables), [], 'no temporary file is left behind');
  });

  it('a release-tag build of a target stage qualifies a bare repository with the service connection and pulls a private base image through it', async () => {
    const base = `${bed.authRegistry}/outerloop-test/build-tag-${suffix}-base:1`;
    await docker(bed, ['tag', bed.baseImage, base]);
    created.push(base);
    const baseLayers = (await inspect(bed, base)).RootFS.Layers;
    // Two stages: `target` stops at the first, so the failing second one never runs.
    const variables = await sources(
      { Dockerfile: `FROM ${base} AS release\nRUN echo built > /built.txt\n\nFROM release AS test\nRUN exit 1\n` },
      { 'Build.SourceBranch': 'refs/tags/v1.4.0-rc.1' },
    );
    const digest = await pushWithLogin(bed, base, variables['Agent.TempDirectory']);
    await docker(bed, ['image', 'rm', base]); // so that the build must pull it with the connection's credentials
    removeFromRegistry.push(async () => deleteManifest(bed, `outerloop-test/build-tag-${suffix}-base`, digest));

    const result = await run(
      {
        repository: `outerloop-test/build-tag-${suffix}-rel`,
        containerRegistry: CONNECTION_ID,
        tags: '',
        target: 'release',
        labels: 'stage=release',
      },
      variables,
      {
        endpoints: [
          {
            id: CONNECTION_ID,
            url: `http://${bed.authRegistry}`,
            scheme: 'UsernamePassword',
            parameters: { username: bed.authUser, password: bed.authPassword },
          },
        ],
      },
    );
    assert.equal(result.result, 'Succeeded', describeRun(result));
    const repo = `${bed.authRegistry}/outerloop-test/build-tag-${suffix}-rel`;
    assert.equal(result.outputs['repository'], repo);
    assert.match(
      result.output,
      new RegExp(`Logged in to ${bed.authRegistry.replace(/\./g, '\\.')} as ${bed.authUser} \\(temporary DOCKER_CONFIG\\)`),
    );
    // The base image was gone from the engine and the registry wants a password: it came through the connection.
    assert.deepEqual(
      (await inspect(bed, result.outputs['imageId'])).RootFS.Layers.slice(0, baseLayers.length),
      baseLayers,
      'the image is built on the private base image',
    );
    assert.equal(result.outputs['tags'], '1.4.0-rc.1,sha-0123456', 'a prerelease gets its full version only');
    assert.equal(result.outputs['version'], '1.4.0-rc.1');
    const image = await inspect(bed, `${repo}:1.4.0-rc.1`);
    assert.equal(image.Id, result.outputs['imageId']);
    assert.equal(image.Config.Labels?.['org.opencontainers.image.version'], '1.4.0-rc.1');
    assert.equal(image.Config.Labels?.['stage'], 'release');
    const shown = result.output.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'));
    assert.ok(!shown.some((l) => l.includes(bed.authPassword)), 'the password reaches the agent only to be masked');
    assert.ok(result.secrets.includes(bed.authPassword), 'the password is registered as a secret');
    assert.deepEqual(await leftovers(variables), [], 'the temporary DOCKER_CONFIG is removed');
  });

  it("uses a user's buildx that is only in ~/.docker/cli-plugins when it logs in through a temporary DOCKER_CONFIG", async () => {
    // On the legacy run the system's plugins are out of sight, so this buildx is the only one there is.
    const home = await mkdtemp(join(tmpdir(), 'outerloop-home-'));
    try {
      await mkdir(join(home, '.docker', 'cli-plugins'), { recursive: true });
      await symlink(join(bed.pluginDir, 'docker-buildx'), join(home, '.docker', 'cli-plugins', 'docker-buildx'));
      const variables = await sources({ Dockerfile: `FROM ${bed.baseImage}\nRUN echo plugin > /plugin.txt\n` });
      const result = await runVsixTask('docker-build-tag', {
        inputs: { repository, tags: `plugin-${suffix}`, containerRegistry: CONNECTION_ID },
        variables,
        baseEnv: { ...bed.env, HOME: home },
        endpoints: [
          {
            id: CONNECTION_ID,
            url: `http://${bed.authRegistry}`,
            scheme: 'UsernamePassword',
            parameters: { username: bed.authUser, password: bed.authPassword },
          },
        ],
      });
      created.push(...(result.outputs['imageReferences'] ?? '').split('\n').filter(Boolean));
      assert.equal(result.result, 'Succeeded', describeRun(result));
      assert.match(result.output, /Logged in to .* \(temporary DOCKER_CONFIG\)/);
      assert.match(result.output, /Building .* with BuildKit \(docker buildx\)\./, describeRun(result));
      assert.match(result.output, /##\[command\]docker buildx build --load /);
      assert.deepEqual(await leftovers(variables), [], 'the temporary DOCKER_CONFIG is removed');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('build secrets reach their RUN step and nothing else: no layer, history, argv or log line holds them (BuildKit; one sentence without it)', async () => {
    const token = `token-${randomBytes(16).toString('hex')}`;
    const fileSecret = `npmrc-${randomBytes(16).toString('hex')}`;
    // The cache key of a RUN step leaves its secrets out: a comment makes this step new to the cache.
    const variables = await sources({
      Dockerfile: `FROM ${bed.baseImage}\nRUN --mount=type=secret,id=token,required=true --mount=type=secret,id=npmrc,required=true cat /run/secrets/token /run/secrets/npmrc | sha256sum | cut -c1-64 > /secrets.sha256 # ${randomBytes(4).toString('hex')}\n`,
      'ci/npmrc': fileSecret,
    });
    // As users pass it: a secret variable, which the agent masks in every line (the task library's debug echo of the input too).
    const result = await run(
      { repository, tags: `secrets-${suffix}`, secrets: 'token=$(buildToken)', secretFiles: 'npmrc=ci/npmrc' },
      variables,
      { secrets: { buildToken: token } },
    );
    if (bed.toolchain === 'legacy') {
      assert.equal(result.result, 'Failed', describeRun(result));
      assert.equal(
        result.message,
        "Input 'secrets' needs BuildKit (docker buildx) for build secrets, and buildx is not installed on this agent; install the buildx plugin, or clear 'secrets' to build with the classic builder.",
      );
      assert.ok(!/##\[command\]docker (buildx )?build /.test(result.output), 'nothing was built');
      return;
    }
    assert.equal(result.result, 'Succeeded', describeRun(result));
    const id = result.outputs['imageId'];
    const seen = await runner.exec('docker', ['run', '--rm', id, 'cat', '/secrets.sha256'], { env: bed.env, quiet: true, noEcho: true });
    assert.equal(
      seen.stdout.trim(),
      createHash('sha256')
        .update(token + fileSecret)
        .digest('hex'),
      `the RUN step read both secrets\n${describeRun(result)}`,
    );
    const leaks = (text: string): boolean => text.includes(token) || text.includes(fileSecret);
    assert.ok(!leaks(await docker(bed, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', id])), 'not in the history');
    assert.ok(!leaks(await docker(bed, ['image', 'inspect', id])), 'not in the image config');
    const saved = await runner.exec('docker', ['image', 'save', id], { env: bed.env, quiet: true, noEcho: true });
    assert.equal(saved.code, 0, saved.stderr);
    assert.ok(saved.stdout.length > 0 && !leaks(saved.stdout), 'not in any layer');
    const shown = result.output
      .split('\n')
      .filter((l) => !l.startsWith('##vso[task.setsecret]') && !l.startsWith('##vso[task.debug]secrets='));
    assert.ok(!shown.some((l) => leaks(l)), 'not in the log or a command line');
    assert.ok(result.secrets.includes(token), 'the value is registered as a secret');
    assert.match(result.output, /--secret id=token,src=\S+ --secret id=npmrc,src=\S+\/ci\/npmrc /);
    assert.deepEqual(await leftovers(variables), [], "the secret's file is deleted");
  });

  it('cacheTo inline puts the build cache into the pushed image, and a later build imports it with cacheFrom (BuildKit; one sentence without it)', async () => {
    const path = `outerloop-test/build-tag-${suffix}-cache`;
    const ref = `${bed.registry}/${path}`;
    const variables = await sources({ Dockerfile: `FROM ${bed.baseImage}\nRUN cat /proc/sys/kernel/random/uuid > /uuid\n` });
    const first = await run({ repository: ref, tags: 'v1', cacheTo: 'inline', addPipelineLabels: 'false' }, variables);
    if (bed.toolchain === 'legacy') {
      assert.equal(first.result, 'Failed', describeRun(first));
      assert.equal(
        first.message,
        "Input 'cacheTo' needs BuildKit (docker buildx) for a cache export, and buildx is not installed on this agent; install the buildx plugin, or clear 'cacheTo' to build with the classic builder.",
      );
      return;
    }
    assert.equal(first.result, 'Succeeded', describeRun(first));
    assert.ok(first.output.includes('--cache-to type=inline'), describeRun(first));
    await docker(bed, ['push', `${ref}:v1`]);
    const manifest = await fetch(`http://${bed.registry}/v2/${path}/manifests/v1`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    const digest = manifest.headers.get('docker-content-digest') ?? '';
    removeFromRegistry.push(async () => void (await fetch(`http://${bed.registry}/v2/${path}/manifests/${digest}`, { method: 'DELETE' })));
    const config = (await manifest.json()) as { config: { digest: string } };
    const blob = (await (await fetch(`http://${bed.registry}/v2/${path}/blobs/${config.config.digest}`)).json()) as Record<string, unknown>;
    assert.ok('moby.buildkit.cache.v0' in blob, 'the pushed image carries its build cache');
    const uuid = async (image: string): Promise<string> =>
      (await runner.exec('docker', ['run', '--rm', image, 'cat', '/uuid'], { env: bed.env, quiet: true, noEcho: true })).stdout.trim();
    const built = await uuid(first.outputs['imageId']);

    await docker(bed, ['image', 'rm', `${ref}:v1`]);
    const second = await run({ repository: ref, tags: 'v2', cacheFrom: `${ref}:v1`, addPipelineLabels: 'false' }, variables);
    assert.equal(second.result, 'Succeeded', describeRun(second));
    assert.ok(second.output.includes(`importing cache manifest from ${ref}:v1`), describeRun(second));
    assert.equal(await uuid(second.outputs['imageId']), built, 'the RUN step was not run again');
  });

  it('a failing build fails the task with the failing step and its message, and leaves no container', async () => {
    const marker = `config-${suffix}`;
    const variables = await sources({
      Dockerfile: `FROM ${bed.baseImage}\nRUN for f in ${marker}.json; do echo "$f is missing" >&2; done; exit 3\n`,
    });
    const result = await run({ repository, tags: 'broken' }, variables);
    assert.equal(result.result, 'Failed', describeRun(result));
    const command = `for f in ${marker}.json; do echo "$f is missing" >&2; done; exit 3`;
    // What a user reads is the same on both builders: the step, docker's reason, and the step's last output line.
    assert.equal(
      result.message,
      bed.toolchain === 'modern'
        ? `docker build failed at step 2/2 (RUN ${command}): failed to solve: process "/bin/sh -c ${command.replace(/"/g, '\\"')}" did not complete successfully: exit code: 3; the step's last output was '${marker}.json is missing'.`
        : // Step 3/3 is the LABEL line the task appends for the classic builder.
          `docker build failed at step 2/3 (RUN ${command}): The command '/bin/sh -c ${command}' returned a non-zero code: 3; the step's last output was '${marker}.json is missing'.`,
    );
    assert.ok(!/\n\s+at /.test(result.output), 'no stack trace');
    const containers = await docker(bed, ['ps', '--all', '--no-trunc', '--format', '{{.Command}}']);
    assert.ok(!containers.includes(`${marker}.json`), "the failed step's container is removed");
  });

  it('keeps the cache of COPY and RUN steps across runs with a .dockerignore in the context, copies it unaltered, and noCache rebuilds', async () => {
    const dockerignore = '# not sent to the engine\n*.md\n';
    const variables = await sources({
      '.dockerignore': dockerignore,
      'README.md': 'ignored\n',
      'app.txt': `app ${suffix}\n`,
      Dockerfile: `FROM ${bed.baseImage}\nCOPY . /app\nRUN ls -a /app > /listing.txt\n`,
    });
    const inputs = { repository, tags: `cache-${suffix}` };
    const first = await run(inputs, variables);
    assert.equal(first.result, 'Succeeded', describeRun(first));
    const copied = await runner.exec('docker', ['run', '--rm', first.outputs['imageId'], 'cat', '/app/.dockerignore', '/listing.txt'], {
      env: bed.env,
      quiet: true,
      noEcho: true,
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(
      copied.stdout,
      `${dockerignore}.\n..\n.dockerignore\nDockerfile\napp.txt\n`,
      'the image holds the .dockerignore as it is in the sources, and nothing it excludes',
    );

    // A later pipeline run of the same commit: new labels (created, build number), same sources.
    const second = await run(inputs, { ...variables, 'Build.BuildNumber': '20261122.4' });
    assert.equal(second.result, 'Succeeded', describeRun(second));
    // The RUN step writes a file, so a step that ran again gives a layer of its own: equal layers are cached ones.
    const layers = async (r: typeof first): Promise<string[]> => (await inspect(bed, r.outputs['imageId'])).RootFS.Layers;
    assert.deepEqual(await layers(second), await layers(first), `the second build reused every layer\n${describeRun(second)}`);
    assert.notEqual(second.outputs['imageId'], first.outputs['imageId'], 'the labels changed, so the image did');

    const third = await run({ ...inputs, noCache: 'true' }, variables);
    assert.equal(third.result, 'Succeeded', describeRun(third));
    assert.ok(third.output.includes('--no-cache'), describeRun(third));
    assert.notEqual((await layers(third)).at(-1), (await layers(first)).at(-1), `noCache runs the RUN step again\n${describeRun(third)}`);
  });

  it('platform needs buildx: a clear error without it, a build with it', async () => {
    const variables = await sources({ Dockerfile: `FROM ${bed.baseImage}\n` });
    const result = await run({ repository, tags: 'platform', platform: 'linux/amd64', addPipelineLabels: 'false' }, variables);
    if (bed.toolchain === 'modern') {
      assert.equal(result.result, 'Succeeded', describeRun(result));
    } else {
      assert.equal(result.result, 'Failed', describeRun(result));
      assert.equal(
        result.message,
        "Input 'platform' needs docker buildx, which is not installed on this agent; install the buildx plugin or clear 'platform' to build for the agent's own platform.",
      );
      assert.ok(!result.output.includes('##[command]docker build'), 'no build was started');
    }
  });
});

/** What the task left in Agent.TempDirectory (see isTaskLeftover). */
async function leftovers(variables: Record<string, string>): Promise<string[]> {
  return (await readdir(variables['Agent.TempDirectory'])).filter(isTaskLeftover);
}

/** Pushes `ref` to the htpasswd registry with a throw-away DOCKER_CONFIG beside `tempDir`; returns the manifest digest. */
async function pushWithLogin(bed: TestBed, ref: string, tempDir: string): Promise<string> {
  const config = join(tempDir, '..', 'push-config');
  await mkdir(config, { recursive: true });
  const login = await runner.exec(
    'docker',
    ['--config', config, 'login', bed.authRegistry, '--username', bed.authUser, '--password-stdin'],
    { env: bed.env, quiet: true, noEcho: true, stdin: bed.authPassword },
  );
  assert.equal(login.code, 0, login.stderr);
  const pushed = await docker(bed, ['--config', config, 'push', ref]);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  assert.ok(digest, pushed);
  return digest;
}

/** Deletes a manifest from the htpasswd registry (it runs with deletes enabled). */
async function deleteManifest(bed: TestBed, path: string, digest: string): Promise<void> {
  const auth = Buffer.from(`${bed.authUser}:${bed.authPassword}`).toString('base64');
  await fetch(`http://${bed.authRegistry}/v2/${path}/manifests/${digest}`, {
    method: 'DELETE',
    headers: { Authorization: `Basic ${auth}` },
  });
}
