import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIND_CONFIGMAP_MAX_BYTES } from '../../../src/k8s/bind-sources';
import { renderComposeProject } from '../../../src/k8s/convert';

describe('read-only bind mounts as ConfigMaps', () => {
  let root: string;
  let dir: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'outerloop-bind-'));
    dir = join(root, 'project');
    await mkdir(join(dir, 'big-folder'), { recursive: true });
    await writeFile(join(root, 'outside.conf'), 'secret=1\n');
    await symlink(join(root, 'outside.conf'), join(dir, 'link.conf'));
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(BIND_CONFIGMAP_MAX_BYTES + 1));
    await writeFile(join(dir, 'big-folder', 'a'), Buffer.alloc(BIND_CONFIGMAP_MAX_BYTES / 2 + 1));
    await writeFile(join(dir, 'big-folder', 'b'), Buffer.alloc(BIND_CONFIGMAP_MAX_BYTES / 2 + 1));
    await writeFile(
      join(dir, 'compose.yaml'),
      [
        'services:',
        '  app:',
        '    image: example/app:1',
        '    volumes: ["./link.conf:/a.conf:ro", "./big.bin:/big.bin:ro", "./big-folder:/big:ro", "../outside.conf:/o.conf:ro"]',
      ].join('\n'),
    );
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('leaves out, with a warning each, a link out of the project folder, a file or folder over ConfigMap size, and a source outside the folder', async () => {
    const result = await renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} } });
    assert.deepEqual(
      result.objects.map((o) => o.kind),
      ['Deployment'],
      'no ConfigMap made of any of them',
    );
    const reasons = result.warnings.map((w) => / which (.*?), so it cannot become a ConfigMap/.exec(w)?.[1]);
    assert.deepEqual(reasons, [
      'is outside the project folder',
      `is ${BIND_CONFIGMAP_MAX_BYTES + 1} bytes, over what a ConfigMap holds (${BIND_CONFIGMAP_MAX_BYTES})`,
      `holds over ${BIND_CONFIGMAP_MAX_BYTES} bytes, more than a ConfigMap holds`,
      'is outside the project folder',
    ]);
    assert.ok(!result.yaml.includes('secret=1'), 'the linked file outside the project is never read into a manifest');
  });
});
