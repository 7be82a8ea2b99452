import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { Ingress } from 'kubernetes-types/networking/v1';
import { OuterloopError } from '../../src/common/errors';
import { buildChart, writeChartFolder } from '../../src/k8s/chart/chart';
import { packageChart } from '../../src/k8s/chart/package';
import { renderComposeProject, type RenderResult } from '../../src/k8s/convert';
import type { KubernetesObject } from '../../src/k8s/objects';
import { validateObjects } from '../../src/k8s/validate';
import { fixtureRenderOptions, listConvertFixtures } from '../support/convert-fixtures';
import type { Served } from '../support/cluster';
import { helmBinary, runHelm } from '../support/helm';

/**
 * The chart against real Helm 3 (3.17.2): for every golden fixture of the converter, `helm lint
 * --strict` passes and `helm template` with the default values gives exactly the objects `outerloop
 * convert` gives (apart from Helm's standard labels), which the Kubernetes schemas accept. The
 * fixtures' conversions are computed here, so this holds whatever the converter's rules become.
 */

const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/version'];

/** Helm's rendering with its own labels taken back to the converter's: no chart or version label, managed by outerloop. */
function withoutHelmLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutHelmLabels);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'labels' && value && typeof value === 'object') {
      const labels = { ...(value as Record<string, string>) };
      for (const k of HELM_ONLY_LABELS) delete labels[k];
      if (labels['app.kubernetes.io/managed-by'] === 'Helm') labels['app.kubernetes.io/managed-by'] = 'outerloop';
      out[key] = labels;
    } else out[key] = withoutHelmLabels(value);
  }
  return out;
}

function byKindAndName(objects: KubernetesObject[]): Map<string, KubernetesObject> {
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

/** The objects of `helm template`'s output. */
function parseRendered(stdout: string): KubernetesObject[] {
  return (loadAll(stdout) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o !== null);
}

describe('Helm chart output against real Helm 3', function () {
  this.timeout(120_000);
  let work: string;
  let home: string;

  before(async () => {
    await helmBinary();
    work = mkdtempSync(join(tmpdir(), 'outerloop-chart-'));
    home = join(work, 'helm-home');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The fixture's chart, or the converter's error (which the chart path meets too: test/unit/cli/convert-helm.test.ts). */
  async function writeFixtureChart(name: string): Promise<{ result: RenderResult; dir: string } | OuterloopError> {
    let result: RenderResult;
    try {
      result = await renderComposeProject(await fixtureRenderOptions(name));
    } catch (err) {
      if (err instanceof OuterloopError) return err;
      throw err;
    }
    const dir = join(work, name);
    await writeChartFolder(dir, buildChart(result).files);
    return { result, dir };
  }

  /** lint --strict passes, and helm template with the default values gives the converter's objects, which the Kubernetes schemas accept. */
  async function assertSameObjects(result: RenderResult, dir: string): Promise<void> {
    const lint = await runHelm(['lint', '--strict', dir], { home });
    assert.equal(lint.code, 0, `helm lint --strict:\n${lint.stdout}${lint.stderr}`);
    const rendered = await runHelm(['template', result.projectName, dir], { home });
    assert.equal(rendered.code, 0, rendered.stderr);
    const objects = parseRendered(rendered.stdout);
    validateObjects(objects);
    const helm = byKindAndName(withoutHelmLabels(objects) as KubernetesObject[]);
    const converted = byKindAndName(JSON.parse(JSON.stringify(result.objects)) as KubernetesObject[]);
    assert.deepEqual([...helm.keys()].sort(), [...converted.keys()].sort(), 'the same objects');
    for (const [key, object] of converted) assert.deepEqual(helm.get(key), object, key);
    for (const object of objects) {
      assert.equal(
        object.metadata.labels?.['app.kubernetes.io/managed-by'],
        'Helm',
        `${object.kind}/${object.metadata.name} is managed by Helm`,
      );
      assert.match(object.metadata.labels?.['helm.sh/chart'] ?? '', /-0\.1\.0$/, `${object.kind}/${object.metadata.name} names the chart`);
    }
  }

  const fixtures = listConvertFixtures();
  it('has fixtures to check', () => assert.ok(fixtures.length >= 20));

  for (const name of fixtures) {
    it(`${name}: lint --strict passes and helm template with the defaults gives the converter's objects (or the converter's error stands)`, async function () {
      const chart = await writeFixtureChart(name);
      if (chart instanceof OuterloopError) {
        assert.match(chart.message, /^[^\n]+$/, 'one line');
        return;
      }
      await assertSameObjects(chart.result, chart.dir);
    });
  }

  it('prints template-like text in the compose file as it is', async () => {
    const project = join(work, 'braces');
    mkdirSync(project);
    writeFileSync(
      join(project, 'compose.yaml'),
      [
        'name: braces',
        'services:',
        '  my_app:',
        '    image: example/app:1',
        '    command: ["sh", "-c", "echo \'{{ .Values.x }}\' {{- end }} {{/* c */}}"]',
        '    environment:',
        '      TEMPLATE: "{{ .Release.Name }}"',
        '      QUOTED: \'say "hi" \\\\ there\'',
        '    labels:',
        '      com.example.note: "{{ not a template }}"',
        '    ports: ["8080:80"]',
        '    healthcheck:',
        '      test: ["CMD-SHELL", "test \\"$$(cat /x)\\" = \'{{ok}}\'"]',
        '  store:',
        '    image: example/store:1',
        '    labels: {outerloop.controller: statefulset}',
        '    volumes: ["data:/data"]',
        '    expose: ["9000"]',
        'volumes:',
        '  data: {labels: {outerloop.volume.size: 5Gi, outerloop.volume.storage-class: fast}}',
        '',
      ].join('\n'),
    );
    const result = await renderComposeProject({ source: { files: ['compose.yaml'], workingDir: project, environment: {} } });
    assert.ok(result.yaml.includes('{{ .Values.x }}'), 'the converter keeps the braces');
    const dir = join(work, 'braces-chart');
    await writeChartFolder(dir, buildChart(result).files);
    await assertSameObjects(result, dir);
  });

  describe('values for a second environment', () => {
    let dir: string;
    before(async () => {
      const chart = await writeFixtureChart('rw-postgres-redis-worker');
      assert.ok(!(chart instanceof OuterloopError));
      dir = chart.dir;
    });

    async function template(...args: string[]): Promise<{ code: number; objects: KubernetesObject[]; stderr: string }> {
      const out = await runHelm(['template', 'shop-qa', dir, ...args], { home });
      return { code: out.code, objects: out.code === 0 ? parseRendered(out.stdout) : [], stderr: out.stderr };
    }

    it('rejects a wrong type, a misspelt key and a bad digest, naming the value', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['--set', 'services.web.replicaCount=two'], /replicaCount.*(integer|Invalid type)/i],
        [['--set', 'services.wbe.replicaCount=2'], /wbe|Additional property/i],
        [['--set', 'services.web.image.digest=latest'], /digest/i],
        [['--set', 'services.web.ingress.enabled=yes-please'], /enabled|boolean/i],
        [['--set', 'persistence.pgdata.size=lots'], /size/i],
      ];
      for (const [args, message] of cases) {
        const out = await template(...args);
        assert.notEqual(out.code, 0, `${args.join(' ')} is rejected`);
        assert.match(out.stderr, /values don't meet the specifications of the schema/, args.join(' '));
        assert.match(out.stderr, message, args.join(' '));
      }
    });

    it('renders an override file: digest, replicas, resources, env, ingress, persistence, labels, namespace', async () => {
      const digest = `sha256:${'ab'.repeat(32)}`;
      const override = join(work, 'values-prod.yaml');
      writeFileSync(
        override,
        [
          'namespaceOverride: shop-prod',
          'commonLabels: {team: checkout}',
          'imagePullSecrets: [{name: acr-pull}]',
          'services:',
          '  web:',
          `    image: {digest: "${digest}"}`,
          '    replicaCount: 4',
          '    resources: {limits: {cpu: "1", memory: 512Mi}}',
          '    env: {LOG_LEVEL: debug}',
          '    nodeSelector: {pool: web}',
          '    tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]',
          '    podAnnotations: {prometheus.io/scrape: "true"}',
          '    ingress:',
          '      enabled: true',
          '      className: nginx',
          '      hosts: [{host: shop.example.test, paths: [{path: /, pathType: Prefix}]}]',
          '      tls: [{secretName: shop-tls, hosts: [shop.example.test]}]',
          'persistence:',
          '  pgdata: {size: 50Gi, storageClass: premium}',
          '',
        ].join('\n'),
      );
      const out = await template('-f', override);
      assert.equal(out.code, 0, out.stderr);
      validateObjects(out.objects);
      const objects = byKindAndName(out.objects);
      for (const object of out.objects) {
        assert.equal(object.metadata.namespace, 'shop-prod', `${object.kind}/${object.metadata.name} namespace`);
        assert.equal(object.metadata.labels?.['team'], 'checkout');
        assert.equal(object.metadata.labels?.['app.kubernetes.io/instance'], 'shop-qa');
      }
      const web = objects.get('Deployment/web') as Served<Deployment>;
      assert.equal(web.spec.replicas, 4);
      const pod = web.spec.template.spec;
      const container = pod.containers[0];
      assert.match(container.image, new RegExp(`@${digest}$`));
      assert.deepEqual(container.resources, { limits: { cpu: '1', memory: '512Mi' } });
      assert.deepEqual(
        container.env.find((e) => e.name === 'LOG_LEVEL'),
        { name: 'LOG_LEVEL', value: 'debug' },
      );
      assert.deepEqual(pod.nodeSelector, { pool: 'web' });
      assert.equal(pod.tolerations[0].key, 'dedicated');
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'acr-pull' }]);
      assert.equal(web.spec.template.metadata.annotations['prometheus.io/scrape'], 'true');
      const ingress = objects.get('Ingress/web') as Served<Ingress> | undefined;
      assert.ok(ingress, 'the Ingress is switched on');
      assert.equal(ingress.spec.ingressClassName, 'nginx');
      assert.equal(ingress.spec.rules[0].host, 'shop.example.test');
      assert.deepEqual(ingress.spec.tls, [{ secretName: 'shop-tls', hosts: ['shop.example.test'] }]);
      const claim = [...objects.values()].find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'pgdata') as
        Served<PersistentVolumeClaim> | undefined;
      assert.ok(claim, 'the pgdata claim');
      assert.equal(claim.spec.resources.requests.storage, '50Gi');
      assert.equal(claim.spec.storageClassName, 'premium');
      assert.deepEqual(web.spec.selector.matchLabels, { 'app.kubernetes.io/instance': 'shop-qa', 'app.kubernetes.io/name': 'web' });
    });
  });

  it('packages a deterministic .tgz that Helm lints and renders like the folder', async () => {
    const chart = await writeFixtureChart('rw-wordpress-mysql');
    assert.ok(!(chart instanceof OuterloopError));
    const built = buildChart(chart.result);
    const [a, b] = [packageChart(built.name, built.files), packageChart(built.name, buildChart(chart.result).files)];
    assert.ok(a.equals(b), 'the same bytes twice');
    const tgz = join(work, built.packageName);
    writeFileSync(tgz, a);
    const lint = await runHelm(['lint', '--strict', tgz], { home });
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const fromPackage = await runHelm(['template', chart.result.projectName, tgz], { home });
    const fromFolder = await runHelm(['template', chart.result.projectName, chart.dir], { home });
    assert.equal(fromPackage.code, 0, fromPackage.stderr);
    assert.equal(fromPackage.stdout, fromFolder.stdout);
    const show = await runHelm(['show', 'chart', tgz], { home });
    assert.match(show.stdout, new RegExp(`name: ${built.name}`));
  });
});
