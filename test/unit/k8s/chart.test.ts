import { strict as assert } from 'node:assert';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { buildChart, chartVersionOf, digestValuesYaml } from '../../../src/k8s/chart/chart';
import { packageChart } from '../../../src/k8s/chart/package';
import { Hole, HoleSet, writeTemplate } from '../../../src/k8s/chart/template-writer';
import { chartValues, splitImage } from '../../../src/k8s/chart/values';
import { renderComposeProject, type RenderResult } from '../../../src/k8s/convert';
import { fixtureRenderOptions } from '../../support/convert-fixtures';

/** The pure parts of the chart writer; test/integration/helm-chart.test.ts holds the chart to real Helm. */

async function fixture(name: string): Promise<RenderResult> {
  return renderComposeProject(await fixtureRenderOptions(name));
}

describe('Helm chart: the pure parts', () => {
  it('chooses a SemVer chart version from a build number', () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, '0.1.0'],
      ['1.4.2', '1.4.2'],
      ['v1.4.2-rc.1', '1.4.2-rc.1'],
      ['20261122.3', '0.0.0-20261122.3'],
      ['20261122.03', '0.0.0-20261122.3'],
      ['main_2026 11.1', '0.0.0-main.2026.11.1'],
    ];
    for (const [build, version] of cases) assert.equal(chartVersionOf(build), version, String(build));
  });

  it('splits an image into repository, tag and digest as written', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const cases: Array<[string, string, string, string]> = [
      ['redis', 'redis', '', ''],
      ['redis:7', 'redis', '7', ''],
      ['127.0.0.1:5000/shop/api:1.2', '127.0.0.1:5000/shop/api', '1.2', ''],
      ['127.0.0.1:5000/shop/api', '127.0.0.1:5000/shop/api', '', ''],
      [`nginx@${digest}`, 'nginx', '', digest],
      [`r:5000/a:1@${digest}`, 'r:5000/a', '1', digest],
    ];
    for (const [image, repository, tag, d] of cases) assert.deepEqual(splitImage(image), { repository, tag, digest: d }, image);
  });

  it('writes holes in place of keys, the first key of a list item included, and escapes template text', () => {
    const holes = new HoleSet();
    const hole = new Hole((key, indent) => `{{- with $x }}\n${indent}${key}: {{ . }}\n{{- end }}`);
    const object = {
      kind: 'Pod',
      spec: {
        containers: [
          { env: holes.mark(hole), name: 'web' },
          { args: ['echo {{ .Values }}'], name: 'side' },
        ],
      },
    };
    assert.equal(
      writeTemplate(object, holes),
      [
        'kind: Pod',
        'spec:',
        '  containers:',
        '    -',
        '{{- with $x }}',
        '      env: {{ . }}',
        '{{- end }}',
        '      name: web',
        '    - args:',
        '        - echo {{ "{{" }} .Values }}',
        '      name: side',
        '',
      ].join('\n'),
    );
  });

  it("leaves the converter's objects as they were, and writes the same chart twice", async () => {
    const result = await fixture('rw-postgres-redis-worker');
    const before = JSON.stringify(result.objects);
    const a = buildChart(result);
    assert.equal(JSON.stringify(result.objects), before);
    const b = buildChart(result);
    assert.deepEqual(a.files, b.files);
    for (const file of a.files) assert.ok(!file.content.includes('__outerloop_hole_'), `${file.path} has no hole marker left`);
    assert.deepEqual(
      a.files.map((f) => f.path),
      [
        '.helmignore',
        'Chart.yaml',
        'templates/_helpers.tpl',
        'templates/deployment.yaml',
        'templates/ingress.yaml',
        'templates/job.yaml',
        'templates/persistentvolumeclaim.yaml',
        'templates/role.yaml',
        'templates/rolebinding.yaml',
        'templates/service.yaml',
        'templates/serviceaccount.yaml',
        'values.schema.json',
        'values.yaml',
      ],
    );
  });

  it('reads the defaults off the converted objects', async () => {
    const result = await fixture('digest-pinning');
    const values = chartValues(result.objects, result.images);
    const pinned = Object.entries(values.services).filter(([, s]) => s.image.digest);
    assert.ok(pinned.length > 0);
    for (const [name, service] of pinned) {
      const workload = result.objects.find((o) => o.metadata.name === name && o.kind !== 'Service' && o.kind !== 'Ingress')!;
      assert.ok(JSON.stringify(workload).includes(`${service.image.repository}@${service.image.digest}`), name);
    }
    assert.deepEqual(load(digestValuesYaml(result)), {
      services: Object.fromEntries(pinned.map(([n, s]) => [n, { image: { digest: s.image.digest } }])),
    });
  });

  it('has a schema the default values meet and a wrong type or an unknown key does not', async () => {
    const result = await fixture('rw-postgres-redis-worker');
    const chart = buildChart(result);
    const schema = JSON.parse(chart.files.find((f) => f.path === 'values.schema.json')!.content) as Record<string, unknown>;
    delete schema['$schema'];
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const values = load(chart.files.find((f) => f.path === 'values.yaml')!.content) as {
      services: Record<string, Record<string, unknown>>;
    };
    assert.ok(validate(values), JSON.stringify(validate.errors));
    const broken = (change: (v: typeof values) => void): boolean => {
      const copy = structuredClone(values);
      change(copy);
      return validate(copy) as boolean;
    };
    assert.equal(
      broken((v) => {
        v.services['web']['replicaCount'] = 'two';
      }),
      false,
    );
    assert.equal(
      broken((v) => {
        v.services['web']['replicas'] = 2;
      }),
      false,
    );
    assert.equal(
      broken((v) => {
        (v.services['web']['image'] as Record<string, unknown>)['pullPolicy'] = 'Sometimes';
      }),
      false,
    );
    assert.equal(
      broken((v) => {
        v.services['wbe'] = {};
      }),
      false,
    );
  });

  it('rejects a chart name or version Helm would not take, naming the input', async () => {
    const result = await fixture('deployment-basics');
    assert.throws(() => buildChart(result, { name: 'Shop' }), /Input 'chartName' must be a chart name/);
    assert.throws(() => buildChart(result, { version: '1.0' }), /Input 'chartVersion' must be a SemVer 2 version/);
  });

  it('packages the chart under <name>/ in a deterministic gzipped tar', async () => {
    const result = await fixture('deployment-basics');
    const chart = buildChart(result);
    const tgz = packageChart(chart.name, chart.files);
    assert.ok(tgz.equals(packageChart(chart.name, buildChart(result).files)));
    assert.equal(tgz.readUInt32LE(4), 0, 'no time in the gzip header');
    const tar = gunzipSync(tgz);
    const names: string[] = [];
    for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
      const field = (offset: number, length: number): string =>
        tar
          .subarray(at + offset, at + offset + length)
          .toString('utf8')
          .replace(/\0.*$/s, '');
      const size = parseInt(field(124, 12), 8);
      assert.equal(parseInt(field(136, 12), 8), 0, 'mtime 0');
      const prefix = field(345, 155);
      names.push(prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      at += 512 + Math.ceil(size / 512) * 512;
    }
    assert.deepEqual(
      names,
      chart.files.map((f) => `${chart.name}/${f.path}`),
    );
  });
});
