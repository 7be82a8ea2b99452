import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import type { ComposeProject, ComposeService } from '../../../src/compose/model';
import type { KeyPath } from '../../../src/compose/paths';
import type { DigestFile } from '../../../src/digests/digest-file';
import type { TransformOptions } from '../../../src/k8s/context';
import type { KubernetesObject } from '../../../src/k8s/objects';
import { transformProject } from '../../../src/k8s/transform';

/**
 * The transformer on models built in code: no compose file, no folder, no engine. What the loader
 * would have produced is written out here, so each case shows exactly what goes in.
 */

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A service as the loader returns it for `name:` with nothing else set, then `fields`. */
function service(name: string, fields: Partial<ComposeService>): ComposeService {
  return {
    name,
    keys: [],
    environment: {},
    envFiles: [],
    envFileValues: {},
    ports: [],
    expose: [],
    mounts: [],
    dependsOn: {},
    labels: {},
    annotations: {},
    groupAdd: [],
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    sysctls: {},
    extraHosts: [],
    limits: {},
    reservations: {},
    secrets: [],
    configs: [],
    networks: {},
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    postStart: [],
    preStop: [],
    profiles: [],
    other: {},
    ...fields,
  };
}

function project(services: ComposeService[]): ComposeProject {
  return {
    name: 'shop',
    workingDir: '/in/memory',
    services,
    volumes: {},
    networks: {},
    secrets: {},
    configs: {},
    extensions: {},
    other: {},
  };
}

const OPTIONS: TransformOptions = { waitImage: 'wait:1', kubectlImage: 'kubectl:1', files: {} };
/** Every key is at a made-up position, so a warning shows it was placed by the caller's locator. */
const locate = (path: KeyPath): string => `compose.yaml:${path.length}:1`;

const find = (objects: KubernetesObject[], kind: string, name: string): KubernetesObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} among ${objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}`);
  return found;
};
const podSpec = (o: KubernetesObject): Record<string, unknown> =>
  (o['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;

describe('transformProject (in-memory models)', () => {
  it('turns a web service with a published port into a Deployment and a Service, its image pinned from the digest file', () => {
    const digests: DigestFile = {
      version: 1,
      images: [{ reference: 'registry.test/shop/web:1.0', repository: 'registry.test/shop/web', tag: '1.0', digest: DIGEST }],
      pipeline: {},
    };
    const web = service('web', {
      keys: ['image', 'ports'],
      image: 'registry.test/shop/web:1.0',
      build: { context: '/in/memory/web', args: {} },
      ports: [{ target: 8080, published: 80, protocol: 'tcp' }],
    });
    const result = transformProject(project([web]), { ...OPTIONS, digests }, locate);

    assert.deepEqual(result.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['Deployment/web', 'Service/web']);
    const container = (podSpec(find(result.objects, 'Deployment', 'web'))['containers'] as Array<{ image: string }>)[0];
    assert.equal(container.image, `registry.test/shop/web@${DIGEST}`);
    const ports = (find(result.objects, 'Service', 'web')['spec'] as { ports: Array<{ port: number; targetPort: number }> }).ports;
    assert.deepEqual(
      ports.map((p) => [p.port, p.targetPort]),
      [
        [80, 8080],
        [8080, 8080],
      ],
    );
    assert.deepEqual(result.images, [
      { service: 'web', image: 'registry.test/shop/web:1.0', resolved: `registry.test/shop/web@${DIGEST}`, pinned: true, built: true },
    ]);
    assert.deepEqual(result.warnings, []);
  });

  it('runs a one-shot service (restart "no", no ports) as a Job, and a dependant waits for the database with the wait image given', () => {
    const db = service('db', { keys: ['image', 'expose'], image: 'postgres:16', expose: [{ port: 5432, protocol: 'tcp' }] });
    const migrate = service('migrate', {
      keys: ['image', 'restart', 'depends_on'],
      image: 'shop/migrate:1',
      restart: 'no',
      dependsOn: { db: { condition: 'service_healthy', required: true, restart: false } },
    });
    const result = transformProject(project([db, migrate]), OPTIONS, locate);

    const job = find(result.objects, 'Job', 'migrate');
    assert.equal((job['spec'] as { backoffLimit: number }).backoffLimit, 0);
    assert.equal(podSpec(job)['restartPolicy'], 'Never');
    const init = podSpec(job)['initContainers'] as Array<{ name: string; image: string; command: string[] }>;
    assert.deepEqual(
      init.map((c) => [c.name, c.image]),
      [['wait-for-db', 'wait:1']],
    );
    assert.match(init[0].command.join(' '), /nc -z -w 2 db 5432/);
    assert.equal(
      result.objects.some((o) => o.kind === 'Service' && o.metadata.name === 'migrate'),
      false,
    );
  });

  it('names each key it does not convert in a warning placed by the locator it is given', () => {
    const web = service('web', { keys: ['image', 'container_name'], image: 'nginx:1', containerName: 'my-web' });
    const result = transformProject(project([web]), OPTIONS, locate);
    assert.deepEqual(result.warnings, ['compose.yaml:3:1: services.web.container_name is not converted: Kubernetes names pods itself.']);
  });

  it('warns, naming the service and key, that dns servers come after the cluster DNS, and which one the resolver never tries', () => {
    const one = transformProject(
      project([service('web', { keys: ['image', 'dns'], image: 'nginx:1', dns: ['10.0.0.53'] })]),
      OPTIONS,
      locate,
    );
    assert.deepEqual((podSpec(find(one.objects, 'Deployment', 'web'))['dnsConfig'] as { nameservers: string[] }).nameservers, [
      '10.0.0.53',
    ]);
    assert.equal(one.warnings.length, 1);
    assert.match(
      one.warnings[0],
      /^compose\.yaml:3:1: services\.web\.dns becomes the pod's dnsConfig nameservers, after the cluster DNS \(dnsPolicy ClusterFirst/,
    );
    assert.match(
      one.warnings[0],
      /Docker forwards every name that is not a service to 10\.0\.0\.53.*a name only 10\.0\.0\.53 can resolve fails here/,
    );
    assert.doesNotMatch(one.warnings[0], /never tried/);

    const three = transformProject(
      project([service('web', { keys: ['image', 'dns'], image: 'nginx:1', dns: ['10.0.0.53', '10.0.0.54', '10.0.0.55'] })]),
      OPTIONS,
      locate,
    );
    assert.match(three.warnings[0], /A resolver reads at most 3 servers, the cluster DNS first, so 10\.0\.0\.55 is never tried\.$/);
  });

  it('refuses more than 3 dns servers, and a dns server that is not an IP address, naming the key', () => {
    const four = service('web', { keys: ['image', 'dns'], image: 'nginx:1', dns: ['10.0.0.53', '10.0.0.54', '10.0.0.55', '10.0.0.56'] });
    assert.throws(
      () => transformProject(project([four]), OPTIONS, locate),
      (err: unknown) =>
        err instanceof FileError &&
        err.message ===
          "compose.yaml:3:1: services.web.dns lists 4 servers; a pod's dnsConfig takes at most 3 nameservers (the API server refuses more).",
    );
    const named = service('web', { keys: ['image', 'dns'], image: 'nginx:1', dns: ['10.0.0.53', 'dns.example.com'] });
    assert.throws(
      () => transformProject(project([named]), OPTIONS, locate),
      (err: unknown) =>
        err instanceof FileError &&
        err.message ===
          "compose.yaml:4:1: services.web.dns[1] 'dns.example.com' is not an IP address; a pod's dnsConfig takes only IP addresses as nameservers.",
    );
  });

  it('throws a FileError at the key when a service has neither image nor build', () => {
    assert.throws(
      () => transformProject(project([service('worker', {})]), OPTIONS, locate),
      (err: unknown) =>
        err instanceof FileError &&
        err.message === 'compose.yaml:2:1: services.worker has neither image nor build: there is nothing to run.',
    );
  });

  it('is pure: the same model gives equal results twice and is left as it was', () => {
    const model = project([
      service('web', {
        keys: ['image', 'ports', 'labels'],
        image: 'nginx:1',
        ports: [{ target: 80, protocol: 'tcp' }],
        labels: { tier: 'front' },
      }),
      service('cache', { keys: ['image', 'expose'], image: 'redis:7', expose: [{ port: 6379, protocol: 'tcp' }] }),
    ]);
    const before = structuredClone(model);
    const first = transformProject(model, OPTIONS, locate);
    const second = transformProject(model, OPTIONS, locate);
    assert.deepEqual(second, first);
    assert.deepEqual(model, before);
  });
});
