import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { FileError, InputError } from '../../../src/common/errors';
import { readDigestFile } from '../../../src/digests/digest-file';
import { StrictModeError, renderComposeProject } from '../../../src/k8s/convert';
import { CONVERT_FIXTURES } from '../../support/convert-fixtures';

// The contract ComposeToK8s@1 uses: images with their pinning, the project name, strict mode.
describe('renderComposeProject', () => {
  it('reports every image, whether it is pinned and whether the project builds it', async () => {
    const dir = join(CONVERT_FIXTURES, 'digest-pinning');
    const result = await renderComposeProject({
      source: { files: ['compose.yaml'], workingDir: dir, environment: { TAG: '42' } },
      digests: await readDigestFile(join(dir, 'image-digests.json')),
    });
    assert.equal(result.projectName, 'pinned');
    assert.deepEqual(
      result.images.map((i) => [i.service, i.pinned, i.built, i.resolved.replace(/@sha256:(.).*$/, '@$1')]),
      [
        ['api', true, true, '127.0.0.1:5000/pinned/api@1'],
        ['fixed', true, false, 'busybox@a'],
        ['nginx', true, false, 'nginx@2'],
        ['unknown', false, false, 'example/not-pushed:1'],
        ['worker', true, true, 'pinned-worker@3'],
      ],
    );
  });

  it('keeps a .env value that tries to add keys to the manifest a plain value (strict mode, YAML injection)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outerloop-inject-'));
    try {
      writeFileSync(join(dir, '.env'), 'NOTE="1/\n          securityContext:\n            privileged:\n              true"\n');
      writeFileSync(join(dir, 'compose.yaml'), 'services:\n  app:\n    image: app:1\n    environment:\n      NOTE: ${NOTE}\n');
      const result = await renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} }, strict: true });
      const read = loadAll(result.yaml) as Array<{
        kind: string;
        spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
      }>;
      assert.deepEqual(read, JSON.parse(JSON.stringify(result.objects)));
      const container = read.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
      assert.equal(container.securityContext, undefined);
      assert.deepEqual(container.env, [
        { name: 'NOTE', value: '1/\n          securityContext:\n            privileged:\n              true' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names file:line for an invalid secret mode and an out-of-range uid, instead of a schema error or 1e+20', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outerloop-ids-'));
    try {
      writeFileSync(join(dir, 's.txt'), 'x');
      const cases: Array<[string, RegExp]> = [
        ['    secrets: [{source: s, mode: "0999"}]\n', /compose\.yaml:4:\d+: services\.app\.secrets\[0\]\.mode must be a file mode/],
        ['    secrets: [{source: s, mode: 70000}]\n', /compose\.yaml:4:\d+: services\.app\.secrets\[0\]\.mode must be a file mode/],
        [
          '    user: "100000000000000000000:1"\n',
          /compose\.yaml:4:\d+: services\.app\.user '100000000000000000000:1' holds an id above 2147483647/,
        ],
      ];
      for (const [line, message] of cases) {
        writeFileSync(join(dir, 'compose.yaml'), `services:\n  app:\n    image: app:1\n${line}secrets:\n  s: {file: ./s.txt}\n`);
        await assert.rejects(
          renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} } }),
          (err: unknown) => err instanceof FileError && message.test(err.message),
          line,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws StrictModeError in strict mode and returns the warnings otherwise', async () => {
    const dir = join(CONVERT_FIXTURES, 'volumes');
    const lenient = await renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} } });
    assert.equal(lenient.warnings.length, 2);
    await assert.rejects(
      renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} }, strict: true }),
      StrictModeError,
    );
  });

  it('rejects an invalid namespace or annotation key as an input error', async () => {
    const dir = join(CONVERT_FIXTURES, 'healthchecks');
    await assert.rejects(
      renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} }, namespace: 'Bad_NS' }),
      InputError,
    );
    await assert.rejects(
      renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} }, annotations: { 'bad key': 'x' } }),
      InputError,
    );
  });

  it('uses the wait images it is given', async () => {
    const dir = join(CONVERT_FIXTURES, 'depends-on');
    const result = await renderComposeProject({
      source: { files: ['compose.yaml'], workingDir: dir, environment: {} },
      waitImage: 'registry.local/busybox:1',
      kubectlImage: 'registry.local/kubectl:1',
    });
    assert.match(result.yaml, /image: registry\.local\/busybox:1/);
    assert.match(result.yaml, /image: registry\.local\/kubectl:1/);
    assert.doesNotMatch(result.yaml, /busybox:1\.36|bitnami/);
  });
});
