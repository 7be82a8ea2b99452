import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readDigestFile } from '../../src/digests/digest-file';
import { ROOT } from '../support/paths';
import { filesUnder, runToEnd, summaryOf } from '../support/run-to-end';
import { requireTestBed, type TestBed } from '../support/testbed';

/**
 * examples/azure-pipelines.yml under `outerloop run`, with no cluster (its last step renders): the
 * three compose-reading tasks each get the same `environment` (REGISTRY, IMAGE_NAMESPACE and TAG,
 * which no agent variable holds), and each reads the compose file with it.
 */
const STEPS = [
  'Build the web image (DockerBuildTag@1)',
  'Build the worker image (DockerBuildTag@1)',
  'Test the composed app from outside (ComposeTest@1)',
  'Push the images and record their digests (PushDigest@1)',
  'Render the Kubernetes manifests, pinned by digest (ComposeToK8s@1)',
  'Deploy to Kubernetes, pinned by digest (ComposeToK8s@1)',
];

describe('examples/azure-pipelines.yml under outerloop run: environment given to every compose-reading task', function () {
  let bed: TestBed;
  const namespace = `outerloop-env-test-${randomBytes(3).toString('hex')}`;
  before(function () {
    bed = requireTestBed(this);
    if (!existsSync(join(ROOT, 'dist', 'tasks'))) throw new Error('dist/tasks is missing: run npm run package first (npm test does).');
  });

  after(() => {
    const images = execFileSync(
      'docker',
      ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${bed.registry}/${namespace}/*`],
      { env: { ...process.env, ...bed.env }, encoding: 'utf8' },
    ).trim();
    if (images) execFileSync('docker', ['rmi', '-f', ...images.split('\n')], { env: { ...process.env, ...bed.env }, stdio: 'ignore' });
  });

  it('runs green: ComposeTest starts the TAG images, PushDigest locks them by digest, ComposeToK8s renders them pinned', async () => {
    for (const artifact of ['image-digests', 'k8s-manifests'])
      rmSync(join(ROOT, '.outerloop', 'artifacts', artifact), { recursive: true, force: true });
    const result = await runToEnd(
      process.execPath,
      [
        join(ROOT, 'bin', 'outerloop.js'),
        'run',
        'examples/azure-pipelines.yml',
        '--sources',
        '.',
        '--no-color',
        '--var',
        `registry=${bed.registry}`,
        '--var',
        `imageNamespace=${namespace}`,
      ],
      { cwd: ROOT, env: { ...process.env, ...bed.env, NO_COLOR: '1' } },
    );
    const context = `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
    assert.equal(result.code, 0, context);
    assert.deepEqual(
      summaryOf(result.stdout),
      STEPS.map((label) => [label.startsWith('Deploy') ? 'Skipped' : 'Succeeded', label]),
      context,
    );

    // PushDigest read the compose file with the environment input: its TAG is the build number, not the file's default `dev`.
    const artifacts = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'image-digests'));
    const digestFile = artifacts.find((f) => f.endsWith('.json'));
    const locked = artifacts.find((f) => f.endsWith('.yml'));
    assert.ok(digestFile && locked, `the digest file and the locked compose file are published: ${artifacts.join(', ')}`);
    const digests = await readDigestFile(digestFile);
    // Each image was pushed under all its tags; the compose file names the build number's (TAG).
    const tagged = digests.images.filter((i) => i.tag === digests.pipeline.buildNumber);
    assert.deepEqual(
      tagged.map((i) => i.repository).sort(),
      [`${bed.registry}/${namespace}/web`, `${bed.registry}/${namespace}/worker`],
      context,
    );
    const lockedText = readFileSync(locked, 'utf8');
    for (const image of tagged) {
      assert.ok(
        lockedText.includes(`image: ${image.repository}@${image.digest}`),
        `${image.repository} is pinned in the locked compose file:\n${lockedText}`,
      );
    }
    assert.doesNotMatch(lockedText, /:dev\b|\$\{TAG/, 'no image left at the default tag');

    // ComposeToK8s rendered the same images, pinned by the digests PushDigest recorded.
    const manifests = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'k8s-manifests'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const image of tagged)
      assert.ok(manifests.includes(`${image.repository}@${image.digest}`), `${image.repository} is rendered pinned`);
    for (const image of digests.images) {
      await fetch(`http://${bed.registry}/v2/${image.repository.slice(bed.registry.length + 1)}/manifests/${image.digest}`, {
        method: 'DELETE',
      });
    }
  });
});
