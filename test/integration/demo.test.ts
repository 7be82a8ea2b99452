import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { readDigestFile } from '../../src/digests/digest-file';
import { DEFAULT_WAIT_IMAGE } from '../../src/k8s/convert';
import { ROOT } from '../support/paths';
import { deleteNamespaces, getJson, requireTestCluster, type Served, type TestCluster } from '../support/cluster';
import { filesUnder, runToEnd, summaryOf } from '../support/run-to-end';
import { requireTestBed, type TestBed } from '../support/testbed';
import { testTempDir } from '../support/temp';

/** examples/outer-loop.yml: the CI stage, the release stage's deployment job and its check, then the QA host's. */
// With the test bed's cluster up, the demo's release stage deploys: the render-only step, the
// count of what was rendered and the job that checks it are skipped.
const STEPS: Array<[result: string, label: string]> = [
  ['Succeeded', 'Build, test and push › Images › Build the web image (DockerBuildTag@1)'],
  ['Succeeded', 'Build, test and push › Images › Build the worker image (DockerBuildTag@1)'],
  ['Succeeded', 'Build, test and push › Images › Test the composed app from outside (ComposeTest@1)'],
  ['Succeeded', 'Build, test and push › Images › Push the images and record their digests (PushDigest@1)'],
  ['Succeeded', 'Release to local › Deploy the pushed digests › Say what is released (bash)'],
  ['Succeeded', 'Release to local › Deploy the pushed digests › Download artifacts (current) (download)'],
  [
    'Skipped',
    'Release to local › Deploy the pushed digests › Render the Kubernetes manifests for local, pinned by digest (ComposeToK8s@1)',
  ],
  ['Succeeded', 'Release to local › Deploy the pushed digests › Deploy to local, pinned by digest (ComposeToK8s@1)'],
  ['Skipped', 'Release to local › Deploy the pushed digests › Count the images pinned by digest (bash)'],
  ['Skipped', 'Release to local › Deploy the pushed digests › Report the failure (bash)'],
  ['Skipped', 'Release to local › Verify › At least both images are pinned (bash)'],
  ['Succeeded', 'Release to the QA host › Deploy to the QA host › Download artifacts (current) (download)'],
  ['Succeeded', 'Release to the QA host › Deploy to the QA host › Deploy the pushed digests to the QA host with Compose (ComposeDeploy@1)'],
  ['Succeeded', 'Release to the QA host › Deploy to the QA host › Say what the QA host runs (bash)'],
];

function docker(bed: TestBed, args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(args[0] === 'compose' ? 'docker-compose' : 'docker', args[0] === 'compose' ? args.slice(1) : args, {
    cwd,
    env: { ...bed.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

async function registryDigest(bed: TestBed, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`http://${bed.registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  return response.headers.get('docker-content-digest');
}

describe('the demo: examples/ on the test bed', function () {
  let bed: TestBed;
  const namespace = `outerloop-demo-test-${randomBytes(3).toString('hex')}`;
  let cluster: TestCluster;
  before(function () {
    bed = requireTestBed(this);
    cluster = requireTestCluster(this);
    if (!existsSync(join(ROOT, 'dist', 'cli', 'outerloop.js')))
      throw new Error('dist/cli/outerloop.js is missing: run npm run build first (npm test does).');
  });

  it('the example app comes up healthy and passes its own integration test (plain docker-compose, no outerloop task)', async () => {
    const project = `${namespace.replace(/-/g, '')}app`;
    const env = { IMAGE_NAMESPACE: namespace, TAG: 'compose', COMPOSE_PROJECT_NAME: project, REGISTRY: bed.registry };
    const dir = join(ROOT, 'examples');
    const results = await testTempDir('outerloop-demo-results-');
    try {
      docker(bed, ['compose', 'build', '-q'], dir, env);
      docker(bed, ['compose', 'up', '-d'], dir, env);
      const web = docker(bed, ['compose', 'ps', '-q', 'web'], dir, env).trim();
      let health = '';
      for (let i = 0; i < 120 && health !== 'healthy'; i++) {
        health = docker(bed, ['inspect', '--format', '{{.State.Health.Status}}', web]).trim();
        if (health !== 'healthy') await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(health, 'healthy', 'the web service turns healthy through its healthcheck');
      const port = docker(bed, ['compose', 'port', 'web', '8080'], dir, env).trim();
      assert.match(port, /^127\.0\.0\.1:\d+$/, 'the web port is published on the loopback interface only');
      const test = execFileSync(join(dir, 'tests', 'integration.sh'), {
        env: { ...process.env, WEB_ADDRESS: port, TEST_RESULTS_DIR: results },
        encoding: 'utf8',
      });
      assert.match(test, /^3 of 3 checks passed/m);
      const junit = readFileSync(join(results, 'integration.xml'), 'utf8');
      assert.equal((junit.match(/<testcase /g) ?? []).length, 3);
      assert.ok(!junit.includes('<failure'), junit);
      assert.match(
        docker(bed, ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]),
        new RegExp(`${project}_data`),
        'the named volume exists',
      );
    } finally {
      docker(bed, ['compose', 'down', '-v', '--rmi', 'all', '--remove-orphans'], dir, env);
    }
    assert.equal(docker(bed, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).trim(), '', 'no container left');
  });

  it('npm run demo runs the pipeline: CI builds, tests and pushes; the release deployment job deploys the CI digest artifact to the test bed cluster, and the QA host stage to the bed engine over TLS with Compose; it prints what it deployed and where the digest file and the manifests are', async () => {
    // scripts/demo.sh as `npm run demo` runs it, from the repository: its results land in ./.outerloop/.
    const run = await runToEnd(
      'bash',
      [join(ROOT, 'scripts', 'demo.sh'), '--var', `imageNamespace=${namespace}`, '--var', `namespace=${namespace}`],
      {
        cwd: tmpdir(),
        env: { ...process.env, ...bed.env, NO_COLOR: '1' },
      },
    );
    const context = `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
    const summary = summaryOf(run.stdout);
    assert.deepEqual(
      summary.map(([, label]) => label),
      STEPS.map(([, label]) => label),
      context,
    );
    try {
      assert.equal(run.code, 0, context);
      assert.deepEqual(summary, STEPS, context);
      // The CI stage's push output crossed into the release stage (stageDependencies).
      assert.match(
        run.stdout,
        new RegExp(`^releasing ${bed.registry}/${namespace}/web@sha256:[0-9a-f]{64} to outerloop-local$`, 'm'),
        context,
      );
      // The deployment job downloaded the CI stage's digest artifact into the workspace before deploying.
      assert.ok(existsSync(join(ROOT, '.outerloop', 'work', 'image-digests', 'image-digests.json')), context);
      // The digest file PushDigest published, with the registry's own digests.
      const digestFiles = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'image-digests')).filter((f) => f.endsWith('.json'));
      assert.equal(digestFiles.length, 1, context);
      const digests = await readDigestFile(digestFiles[0]);
      for (const service of ['web', 'worker']) {
        const image = digests.images.find((i) => i.repository === `${bed.registry}/${namespace}/${service}`);
        assert.ok(image, `${service} is in the digest file`);
        assert.equal(
          image.digest,
          await registryDigest(bed, `${namespace}/${service}`, image.tag),
          `${service}'s digest is the registry's`,
        );
      }
      // The manifests ComposeToK8s rendered: every image of the app pinned by a digest from that
      // file; the only other image is the converter's documented wait image (depends_on init containers).
      const manifests = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'k8s-manifests'))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      const allImages = [...manifests.matchAll(/image:\s*["']?([^\s"']+)/g)].map((m) => m[1]);
      const images = allImages.filter((image) => image.startsWith(`${bed.registry}/${namespace}/`));
      assert.deepEqual(
        [...new Set(allImages.filter((image) => !images.includes(image)))].filter((image) => image !== DEFAULT_WAIT_IMAGE),
        [],
        manifests,
      );
      assert.equal(images.length >= 2, true, manifests);
      for (const image of images) {
        assert.match(image, /@sha256:[0-9a-f]{64}$/, `${image} is pinned`);
        assert.ok(
          digests.images.some((i) => image === `${i.repository}@${i.digest}`),
          `${image} is a pushed digest`,
        );
      }
      // ComposeTest's published test results, and nothing of its compose project left behind.
      const junit = readFileSync(join(ROOT, '.outerloop', 'test-results', 'integration.xml'), 'utf8');
      assert.equal((junit.match(/<testcase /g) ?? []).length, 3, junit);
      const fromWeb = docker(bed, ['ps', '-aq', '--filter', `ancestor=${bed.registry}/${namespace}/web`])
        .split('\n')
        .filter(Boolean);
      const onQaHost = docker(bed, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${namespace}-qa`])
        .split('\n')
        .filter(Boolean);
      assert.deepEqual(
        fromWeb.filter((id) => !onQaHost.includes(id)),
        [],
        "no container of ComposeTest's project left (the QA host's are deployed)",
      );
      assert.match(run.stdout, /^artifact image-digests: \.outerloop\/artifacts\/image-digests\/$/m);
      assert.match(run.stdout, /^artifact k8s-manifests: \.outerloop\/artifacts\/k8s-manifests\/$/m);
      // What the demo says last: where the digest file and the pinned manifests are, as paths that
      // exist from the repository root (docs/local-run.md's "The demo" shows this output).
      const said = /^demo: digest file \(PushDigest\): (.+)$/m.exec(run.stdout);
      assert.ok(said, context);
      assert.equal(join(ROOT, said[1]), digestFiles[0], context);
      const listed = /^demo: Kubernetes manifests pinned by digest \(ComposeToK8s\):\n((?: {2}.+\n)+)/m.exec(run.stdout);
      assert.ok(listed, context);
      const manifestFiles = listed[1]
        .trim()
        .split('\n')
        .map((l) => join(ROOT, l.trim()));
      assert.deepEqual(manifestFiles, filesUnder(join(ROOT, '.outerloop', 'artifacts', 'k8s-manifests')).sort(), context);
      assert.match(readFileSync(manifestFiles[0], 'utf8'), /@sha256:[0-9a-f]{64}/, context);
      // What it deployed to the test bed's cluster: the pushed digests, rolled out, shown by kubectl get.
      assert.match(
        run.stdout,
        new RegExp(`^demo: deployed to the test bed's cluster, namespace ${namespace} \\(kubectl get\\):$`, 'm'),
        context,
      );
      for (const image of digests.images) {
        const service = image.repository.split('/').pop()!;
        const deployed = await getJson<Served<Deployment>>(cluster, ['deployment', service, '--namespace', namespace]);
        assert.equal(
          deployed.spec.template.spec.containers[0].image,
          `${image.repository}@${image.digest}`,
          `${service} runs the pushed digest`,
        );
        assert.equal(deployed.status.readyReplicas, deployed.spec.replicas, `${service} rolled out`);
        assert.match(run.stdout, new RegExp(`deployment\\.apps/${service} .*${image.digest}`), `kubectl get shows ${service} pinned`);
      }
      // The steps' summaries, printed as plain text before the run's own, with the digests pushed.
      const stepSummaries = run.stdout.slice(run.stdout.indexOf('\nWhat the steps did\n'), run.stdout.indexOf('\nSummary of build '));
      assert.ok(stepSummaries.length > 0, context);
      for (const title of ['DockerBuildTag: ', 'ComposeTest: ', 'PushDigest: ', 'ComposeToK8s: '])
        assert.ok(stepSummaries.includes(`\n${title}`), `${title} in\n${stepSummaries}`);
      for (const image of digests.images)
        assert.match(stepSummaries, new RegExp(`^ +${image.reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${image.digest} +yes$`, 'm'));
      assert.match(stepSummaries, /^Tests: 3 passed, 0 failed, 0 skipped \(3 in 1 JUnit file\)\.$/m);
      assert.doesNotMatch(stepSummaries, /\*\*|\\[#|_*[]/, 'plain text: no Markdown marks or escapes left');
      // The release as a pipeline of its own (examples/release.yml), fed the demo run's artifacts
      // through resources.pipelines: it renders the same digests again, with the CI run's tag.
      const release = await runToEnd(
        process.execPath,
        [
          join(ROOT, 'bin', 'outerloop.js'),
          'run',
          'examples/release.yml',
          '--sources',
          '.',
          '--no-color',
          '--var',
          `registry=${bed.registry}`,
          '--var',
          `imageNamespace=${namespace}`,
          '--pipeline-artifacts',
          'ci=.outerloop/artifacts',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, ...bed.env },
        },
      );
      const releaseContext = `exit ${release.code}\n${release.stdout}\n${release.stderr}`;
      assert.equal(release.code, 0, releaseContext);
      assert.deepEqual(
        summaryOf(release.stdout).map(([result]) => result),
        ['Succeeded', 'Succeeded', 'Skipped'],
        releaseContext,
      );
      const released = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'k8s-manifests'))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      const ciTagged = digests.images.filter((i) => i.tag === digests.pipeline.buildNumber);
      assert.equal(ciTagged.length, 2, "web and worker, tagged with the CI run's build number");
      for (const image of ciTagged) {
        assert.ok(
          released.includes(`${image.repository}@${image.digest}`),
          `the release pinned ${image.repository} to the CI run's digest`,
        );
      }
      // The QA host stage: the same digests, deployed with Compose to the bed's engine over TLS, healthy.
      const qa = `${namespace}-qa`;
      const qaContainers = JSON.parse(
        docker(bed, [
          'inspect',
          ...docker(bed, ['ps', '-q', '--filter', `label=com.docker.compose.project=${qa}`])
            .split('\n')
            .filter(Boolean),
        ]),
      ) as Array<{
        Config: { Image: string; Labels: Record<string, string> };
        State: { Status: string; Health?: { Status: string } };
      }>;
      assert.deepEqual(qaContainers.map((c) => c.Config.Labels['com.docker.compose.service']).sort(), ['web', 'worker'], context);
      for (const c of qaContainers) {
        const service = c.Config.Labels['com.docker.compose.service'];
        const image = digests.images.find((i) => i.repository === `${bed.registry}/${namespace}/${service}`)!;
        assert.equal(c.Config.Image, `${image.repository}@${image.digest}`, `the QA host runs ${service} pinned by its pushed digest`);
        assert.equal(c.State.Health?.Status ?? c.State.Status, service === 'web' ? 'healthy' : 'running');
        assert.equal(c.Config.Labels['outerloop.io/build-number'], digests.pipeline.buildNumber);
      }
      assert.match(run.stdout, /^the QA host runs web=.*@sha256:[0-9a-f]{64},worker=.*@sha256:[0-9a-f]{64}$/m, context);
      assert.match(
        run.stdout,
        new RegExp(`^demo: deployed to the QA host \\(tcp://127\\.0\\.0\\.1:2376\\), project ${qa} \\(docker ps\\):$`, 'm'),
        context,
      );
      assert.ok(stepSummaries.includes(`\nComposeDeploy: ${qa} deployed on tcp://127.0.0.1:2376`), stepSummaries);
      for (const image of digests.images) {
        await fetch(`http://${bed.registry}/v2/${image.repository.slice(bed.registry.length + 1)}/manifests/${image.digest}`, {
          method: 'DELETE',
        });
      }
    } finally {
      const qa = `${namespace}-qa`;
      const left = docker(bed, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${qa}`])
        .split('\n')
        .filter(Boolean);
      if (left.length > 0) docker(bed, ['rm', '-f', ...left]);
      for (const kind of ['network', 'volume']) {
        const names = docker(bed, [kind, 'ls', '-q', '--filter', `label=com.docker.compose.project=${qa}`])
          .split('\n')
          .filter(Boolean);
        if (names.length > 0) docker(bed, [kind, 'rm', ...names]);
      }
      await deleteNamespaces(cluster, [namespace]);
      const images = docker(bed, [
        'images',
        '--format',
        '{{.Repository}}:{{.Tag}}',
        '--filter',
        `reference=${bed.registry}/${namespace}/*`,
      ]).trim();
      if (images) docker(bed, ['rmi', '-f', ...images.split('\n')]);
    }
  });
});
