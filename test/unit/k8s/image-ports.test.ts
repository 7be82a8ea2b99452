import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { ToolError } from '../../../src/common/errors';
import { parseExposedPorts, type Docker, type ImageDetails } from '../../../src/docker/engine';
import { engineImagePorts } from '../../../src/k8s/image-ports';
import { renderComposeProject } from '../../../src/k8s/convert';

describe("ports from the image's EXPOSE", () => {
  it("parses docker's ExposedPorts", () => {
    assert.deepEqual(parseExposedPorts({ '5432/tcp': {}, '53/udp': {}, '80': {}, '0/tcp': {}, 'x/tcp': {} }), [
      { port: 53, protocol: 'udp' },
      { port: 80, protocol: 'tcp' },
      { port: 5432, protocol: 'tcp' },
    ]);
    assert.deepEqual(parseExposedPorts(null), []);
    assert.deepEqual(parseExposedPorts('not an object'), []);
  });

  it("asks the engine port for each image; one it does not hold, or no docker at all, leaves that image's ports unknown", async () => {
    const db: ImageDetails = { id: `sha256:${'d'.repeat(64)}`, repoDigests: [], exposedPorts: [{ port: 5432, protocol: 'tcp' }] };
    const inspectImages = sinon.stub<Parameters<Docker['inspectImages']>, ReturnType<Docker['inspectImages']>>();
    inspectImages.withArgs(['shop-db']).resolves([db]);
    inspectImages
      .withArgs(['example/cache:1'])
      .rejects(new ToolError('docker', 'docker image inspect failed: No such image: example/cache:1.'));
    const found = await engineImagePorts({ inspectImages })(['example/cache:1', 'shop-db']);
    assert.deepEqual(found, { 'shop-db': [{ port: 5432, protocol: 'tcp' }] });
    sinon.assert.calledTwice(inspectImages);

    const noDocker = sinon.stub().rejects(Object.assign(new Error('spawn docker ENOENT'), { code: 'ENOENT' }));
    assert.deepEqual(await engineImagePorts({ inspectImages: noDocker })(['shop-db']), {});
  });

  it('gives a Service to a service others reach that declares no ports, and asks only about such services', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outerloop-image-ports-'));
    try {
      await writeFile(
        join(dir, 'compose.yaml'),
        [
          'name: shop',
          'services:',
          '  app: {image: example/app:1, ports: ["80:80"], environment: {DB: "postgres://db:5432/x"}, depends_on: [cache]}',
          '  db: {build: ./db}',
          '  cache: {image: example/cache:1}',
          '  lonely: {image: example/lonely:1}',
        ].join('\n'),
      );
      const lookup = sinon.stub().resolves({ 'shop-db': [{ port: 5432, protocol: 'tcp' }] });
      const result = await renderComposeProject({
        source: { files: ['compose.yaml'], workingDir: dir, environment: {} },
        imagePorts: lookup,
      });
      sinon.assert.calledOnceWithExactly(lookup, ['example/cache:1', 'shop-db']);
      const db = result.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'db');
      assert.deepEqual((db?.['spec'] as { ports: unknown }).ports, [{ name: 'tcp-5432', port: 5432, protocol: 'TCP', targetPort: 5432 }]);
      assert.ok(!result.warnings.some((w) => w.includes('services.db has no ports')));
      assert.ok(
        result.warnings.some((w) =>
          w.includes('services.cache has no ports or expose, so it gets no Service, and app (depends_on) cannot reach it'),
        ),
        'an image without EXPOSE keeps the warning',
      );
      const init = (
        result.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'app')?.['spec'] as {
          template: { spec: { initContainers?: unknown[] } };
        }
      ).template.spec.initContainers;
      assert.equal(init, undefined, 'app waits for cache only, which has no Service to wait for');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
