import { strict as assert } from 'node:assert';
import { loadAll } from 'js-yaml';
import {
  appLabelValue,
  manifestsPath,
  planManifests,
  pullSecretName,
  traceabilityAnnotations,
  unpinnedBuiltImages,
} from '../../../src/compose-to-k8s/plan';
import { pipelineRunUrl } from '../../../src/digests/traceability';
import type { DigestFile } from '../../../src/digests/digest-file';
import type { KubernetesObject, RenderedImage } from '../../../src/k8s/objects';
import { fixtureRenderer } from './fixture-renderer';

const vars = {
  collectionUri: 'https://dev.azure.com/contoso/',
  teamProject: 'Shop Team',
  buildId: '4242',
  buildNumber: '20261122.3',
  sourceVersion: 'abc123',
};
const images: RenderedImage[] = [
  { service: 'web', image: 'r/web:1', resolved: 'r/web@sha256:bb', pinned: true, built: true },
  { service: 'api', image: 'r/api:1', resolved: 'r/api@sha256:aa', pinned: true, built: true },
  { service: 'cache', image: 'redis:7', resolved: 'redis:7', pinned: false, built: false },
  { service: 'worker', image: 'r/worker:1', resolved: 'r/worker:1', pinned: false, built: true },
];

describe('compose-to-k8s planners', () => {
  const urls: Array<[string, Parameters<typeof pipelineRunUrl>[0], string | undefined]> = [
    ['a build run', vars, 'https://dev.azure.com/contoso/Shop%20Team/_build/results?buildId=4242'],
    [
      'a collection URI without its slash',
      { ...vars, collectionUri: 'https://tfs.local/tfs/Default' },
      'https://tfs.local/tfs/Default/Shop%20Team/_build/results?buildId=4242',
    ],
    [
      'a classic release',
      { ...vars, releaseWebUrl: 'https://dev.azure.com/contoso/Shop/_releaseProgress?releaseId=7' },
      'https://dev.azure.com/contoso/Shop/_releaseProgress?releaseId=7',
    ],
    ['no pipeline', {}, undefined],
  ];
  for (const [name, v, expected] of urls) it(`run URL of ${name}`, () => assert.equal(pipelineRunUrl(v), expected));

  it("annotates the run, the build and commit of the images (the digest file's first), and the pinned images, sorted", () => {
    const digests: DigestFile = { version: 1, images: [], pipeline: { buildNumber: 'ci-77', sourceVersion: 'def456' } };
    assert.deepEqual(traceabilityAnnotations(vars, digests, images), {
      'outerloop.io/pipeline-run-url': 'https://dev.azure.com/contoso/Shop%20Team/_build/results?buildId=4242',
      'outerloop.io/build-number': 'ci-77',
      'outerloop.io/source-version': 'def456',
      'outerloop.io/image-digests': 'api=r/api@sha256:aa,web=r/web@sha256:bb',
    });
    assert.deepEqual(traceabilityAnnotations(vars, undefined, []), {
      'outerloop.io/pipeline-run-url': 'https://dev.azure.com/contoso/Shop%20Team/_build/results?buildId=4242',
      'outerloop.io/build-number': '20261122.3',
      'outerloop.io/source-version': 'abc123',
    });
    assert.deepEqual(traceabilityAnnotations({}, undefined, []), {});
  });

  it('finds the built images that are not pinned, and only those', () => {
    assert.deepEqual(
      unpinnedBuiltImages(images).map((i) => i.service),
      ['worker'],
    );
  });

  const names: Array<[string, string]> = [
    ['shop', 'shop-registry'],
    ['my_shop', 'my-shop-registry'],
    ['__', 'app-registry'],
  ];
  for (const [app, expected] of names) it(`pull secret name for '${app}'`, () => assert.equal(pullSecretName(app), expected));

  it('puts the manifests in a folder of their own, named after the artifact (else the namespace)', () => {
    assert.equal(manifestsPath('/a', 'k8s-manifests', 'qa'), '/a/outerloop-k8s/k8s-manifests/manifests.yaml');
    assert.equal(manifestsPath('/a', undefined, 'qa'), '/a/outerloop-k8s/qa/manifests.yaml');
  });

  describe('planManifests', () => {
    const registry = { registry: '127.0.0.1:5001', username: 'ci', password: 'pa55-word' };

    it('keeps the password and the Namespace out of the file, and applies them first', async () => {
      const render = await fixtureRenderer().render({ source: { files: [], workingDir: '/', environment: {} } });
      const plan = planManifests({
        render,
        namespace: 'qa',
        createNamespace: true,
        registry,
        annotations: { 'outerloop.io/build-number': '7' },
        prune: true,
      });
      assert.deepEqual(
        plan.fileObjects.map((o) => `${o.kind}/${o.metadata.name}`),
        ['Deployment/api', 'Deployment/cache', 'Service/api', 'Service/cache'],
      );
      assert.deepEqual(
        plan.applyObjects.map((o) => `${o.kind}/${o.metadata.name}`),
        ['Namespace/qa', 'Secret/shop-registry', 'Deployment/api', 'Deployment/cache', 'Service/api', 'Service/cache'],
      );
      assert.ok(!plan.fileYaml.includes('dockerconfigjson') && !plan.fileYaml.includes(Buffer.from('ci:pa55-word').toString('base64')));
      assert.ok(plan.applyYaml.includes('kubernetes.io/dockerconfigjson'));
      assert.deepEqual(loadAll(plan.fileYaml), plan.fileObjects);
      assert.deepEqual(loadAll(plan.applyYaml), plan.applyObjects);
      const secret = plan.applyObjects[1];
      assert.deepEqual(secret.metadata.labels, { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'outerloop' });
      for (const object of plan.applyObjects) {
        // A Deployment's annotations are copied to its ReplicaSets, and a change bumps its generation.
        const expected = object.kind === 'Deployment' ? undefined : '7';
        assert.equal(
          object.metadata.annotations?.['outerloop.io/build-number'],
          expected,
          `${object.kind}/${object.metadata.name} carries the traceability annotations`,
        );
      }
      const template = (
        plan.fileObjects[0]['spec'] as { template: { spec: { imagePullSecrets: unknown }; metadata: { annotations: unknown } } }
      ).template;
      assert.deepEqual(template.spec.imagePullSecrets, [{ name: 'shop-registry' }]);
      assert.equal(template.metadata.annotations, undefined, 'the build number is on the object, never on the pod template');
      assert.deepEqual(
        plan.workloads.map((w) => w.name),
        ['api', 'cache'],
      );
      assert.equal(plan.pruneSelector, 'app.kubernetes.io/part-of=shop');
    });

    it("restarts only what changed: a template carries its own image digests, never the build number or another service's digest", () => {
      const pod = (name: string, image: string): KubernetesObject => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels: { 'app.kubernetes.io/part-of': 'shop' } },
        spec: { template: { metadata: { labels: { 'app.kubernetes.io/name': name } }, spec: { containers: [{ name, image }] } } },
      });
      const release = (build: string, webDigest: string): ReturnType<typeof planManifests> => {
        const released: RenderedImage[] = [
          { service: 'api', image: 'r/api:1', resolved: 'r/api@sha256:aa', pinned: true, built: true },
          { service: 'web', image: 'r/web:1', resolved: `r/web@sha256:${webDigest}`, pinned: true, built: true },
          { service: 'cache', image: 'redis:7', resolved: 'redis:7', pinned: false, built: false },
        ];
        const objects = [pod('api', 'r/api@sha256:aa'), pod('cache', 'redis:7'), pod('web', `r/web@sha256:${webDigest}`)];
        const annotations = traceabilityAnnotations({ ...vars, buildNumber: build, buildId: build }, undefined, released);
        return planManifests({
          render: { objects, projectName: 'shop', images: released },
          namespace: 'qa',
          createNamespace: false,
          annotations,
          prune: false,
        });
      };
      const template = (plan: ReturnType<typeof planManifests>, i: number): unknown =>
        (plan.fileObjects[i]['spec'] as { template: unknown }).template;
      const first = release('1', 'bb');
      const second = release('2', 'cc');
      assert.deepEqual((template(first, 0) as { metadata: { annotations: unknown } }).metadata.annotations, {
        'outerloop.io/image-digests': 'api=r/api@sha256:aa',
      });
      assert.deepEqual((template(first, 1) as { metadata: { annotations?: unknown } }).metadata.annotations, undefined);
      assert.deepEqual(template(second, 0), template(first, 0), 'api did not change, so its pods stay');
      assert.deepEqual(template(second, 1), template(first, 1), 'cache did not change, so its pods stay');
      assert.notDeepEqual(template(second, 2), template(first, 2), 'web has a new image');
      assert.deepEqual(
        second.fileObjects[0].metadata,
        first.fileObjects[0].metadata,
        "api's Deployment keeps its annotations, so its generation stays",
      );
      assert.deepEqual(second.fileObjects[0].metadata.annotations, { 'outerloop.io/image-digests': 'api=r/api@sha256:aa' });
    });

    it('adds nothing when there is no registry and no namespace to create, and no selector without prune', async () => {
      const render = await fixtureRenderer().render({ source: { files: [], workingDir: '/', environment: {} } });
      const plan = planManifests({ render, namespace: 'qa', createNamespace: false, annotations: {}, prune: false });
      assert.equal(plan.applyYaml, plan.fileYaml);
      assert.equal(plan.pruneSelector, undefined);
      assert.deepEqual(plan.recreate, []);
      assert.ok(!plan.fileYaml.includes('imagePullSecrets'));
    });

    it('takes the part-of label from the objects, else the project name', () => {
      assert.equal(
        appLabelValue({
          objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { 'app.kubernetes.io/part-of': 'shop-x' } } }],
          projectName: 'shop',
        }),
        'shop-x',
      );
      assert.equal(appLabelValue({ objects: [], projectName: 'shop' }), 'shop');
    });
  });
});
