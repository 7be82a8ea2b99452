import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDigestFile } from '../../src/digests/digest-file';
import { ROOT } from '../support/paths';
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

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/azure-pipelines.yml under outerloop run: environment given to every compose-reading task', function () {
  let bed: TestBed;
  const namespace = `outerloop-env-test-${randomBytes(3).toString('hex')}`;
  before(function () {
    bed = requireTestBed(this);
    if (!existsSync(join(ROOT, 'dist', 'tasks'))) throw new Error('dist/tasks is missing: run npm run package first (npm test does).');
  });

  after(() => {
    const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${bed.registry}/${namespace}/*`], { env: { ...process.env, ...bed.env }, encoding: 'utf8' }).trim();
    if (images) execFileSync('docker', ['rmi', '-f', ...images.split('\n')], { env: { ...process.env, ...bed.env }, stdio: 'ignore' });
  });

  it('runs green: ComposeTest starts the TAG images, PushDigest locks them by digest, ComposeToK8s renders them pinned', async () => {
    for (const artifact of ['image-digests', 'k8s-manifests']) rmSync(join(ROOT, '.outerloop', 'artifacts', artifact), { recursive: true, force: true });
    const result = await run(process.execPath, [join(ROOT, 'bin', 'outerloop.js'), 'run', 'examples/azure-pipelines.yml', '--sources', '.', '--no-color',
      '--var', `registry=${bed.registry}`, '--var', `imageNamespace=${namespace}`], { ...process.env, ...bed.env, NO_COLOR: '1' });
    const context = `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
    assert.equal(result.code, 0, context);
    const summary = result.stdout.slice(result.stdout.indexOf('Summary of build'));
    const steps = [...summary.matchAll(/^ {2}(Succeeded|SucceededWithIssues|Failed|Canceled|Skipped) +(?:\d+m \d+s|\d+\.\ds)? {2}(.+)$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(steps, STEPS.map((label) => [label.startsWith('Deploy') ? 'Skipped' : 'Succeeded', label]), context);

    // PushDigest read the compose file with the environment input: its TAG is the build number, not the file's default `dev`.
    const artifacts = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'image-digests'));
    const digestFile = artifacts.find((f) => f.endsWith('.json'));
    const locked = artifacts.find((f) => f.endsWith('.yml'));
    assert.ok(digestFile && locked, `the digest file and the locked compose file are published: ${artifacts.join(', ')}`);
    const digests = await readDigestFile(digestFile);
    // Each image was pushed under all its tags; the compose file names the build number's (TAG).
    const tagged = digests.images.filter((i) => i.tag === digests.pipeline.buildNumber);
    assert.deepEqual(tagged.map((i) => i.repository).sort(), [`${bed.registry}/${namespace}/web`, `${bed.registry}/${namespace}/worker`], context);
    const lockedText = readFileSync(locked, 'utf8');
    for (const image of tagged) {
      assert.ok(lockedText.includes(`image: ${image.repository}@${image.digest}`), `${image.repository} is pinned in the locked compose file:\n${lockedText}`);
    }
    assert.doesNotMatch(lockedText, /:dev\b|\$\{TAG/, 'no image left at the default tag');

    // ComposeToK8s rendered the same images, pinned by the digests PushDigest recorded.
    const manifests = filesUnder(join(ROOT, '.outerloop', 'artifacts', 'k8s-manifests')).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const image of tagged) assert.ok(manifests.includes(`${image.repository}@${image.digest}`), `${image.repository} is rendered pinned`);
  });
});
