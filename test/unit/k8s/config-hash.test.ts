import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podTemplateOf } from '../../../src/k8s/decorate';
import { podConfigReferences } from '../../../src/k8s/config-hash';
import { renderComposeProject } from '../../../src/k8s/convert';
import type { KubernetesObject } from '../../../src/k8s/objects';

const COMPOSE = `
services:
  proxy:
    image: nginx:1.27
    configs: [{ source: site, target: /etc/nginx/conf.d/site.conf }]
  api:
    image: r/api:1
    env_file: api.env
    secrets: [token]
  cache:
    image: redis:7
configs:
  site: { file: ./site.conf }
secrets:
  token: { file: ./token.txt }
`;

function templateHashes(objects: KubernetesObject[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const o of objects) {
    const template = podTemplateOf(o);
    if (template)
      out[o.metadata.name] = (template['metadata'] as { annotations?: Record<string, string> }).annotations?.['outerloop.io/config-hash'];
  }
  return out;
}

describe('config hash on pod templates', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outerloop-config-hash-'));
    await writeFile(join(dir, 'compose.yaml'), COMPOSE);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function render(site: string, token: string, env: string): Promise<Record<string, string | undefined>> {
    await writeFile(join(dir, 'site.conf'), site);
    await writeFile(join(dir, 'token.txt'), token);
    await writeFile(join(dir, 'api.env'), env);
    return templateHashes((await renderComposeProject({ source: { files: ['compose.yaml'], workingDir: dir, environment: {} } })).objects);
  }

  it('changes only the template of the pods that use a changed ConfigMap or Secret', async () => {
    const first = await render('listen 80;', 's3cret', 'MODE=a\n');
    assert.match(first['proxy'] ?? '', /^[0-9a-f]{64}$/);
    assert.match(first['api'] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(first['cache'], undefined, 'a pod without configs has no hash');
    const site = await render('listen 8080;', 's3cret', 'MODE=a\n');
    assert.notEqual(site['proxy'], first['proxy']);
    assert.equal(site['api'], first['api']);
    const secret = await render('listen 8080;', 'rotated', 'MODE=a\n');
    assert.equal(secret['proxy'], site['proxy']);
    assert.notEqual(secret['api'], site['api']);
    const env = await render('listen 8080;', 'rotated', 'MODE=b\n');
    assert.notEqual(env['api'], secret['api'], 'the env_file ConfigMap counts too');
    assert.equal(
      await render('listen 8080;', 'rotated', 'MODE=b\n').then((h) => h['api']),
      env['api'],
      'the same content gives the same hash',
    );
  });

  it('finds ConfigMaps and Secrets in volumes, projected volumes, envFrom and env', () => {
    assert.deepEqual(
      podConfigReferences({
        volumes: [
          { name: 'a', configMap: { name: 'c1' } },
          { name: 'b', secret: { secretName: 's1' } },
          { name: 'p', projected: { sources: [{ configMap: { name: 'c2' } }, { secret: { name: 's2' } }] } },
        ],
        initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 's3' } }] }],
        containers: [
          {
            name: 'm',
            envFrom: [{ configMapRef: { name: 'c3' } }],
            env: [
              { name: 'X', valueFrom: { configMapKeyRef: { name: 'c4', key: 'k' } } },
              { name: 'Y', valueFrom: { secretKeyRef: { name: 's4', key: 'k' } } },
            ],
          },
        ],
      }),
      ['ConfigMap/c1', 'ConfigMap/c2', 'ConfigMap/c3', 'ConfigMap/c4', 'Secret/s1', 'Secret/s2', 'Secret/s3', 'Secret/s4'],
    );
  });
});
