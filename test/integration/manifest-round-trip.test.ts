import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, YAML11_SCHEMA, load, loadAll } from 'js-yaml';
import { OuterloopError } from '../../src/common/errors';
import { renderComposeProject } from '../../src/k8s/convert';
import { emitYaml } from '../../src/k8s/yaml-emit';
import { adversarialString, prng } from '../support/adversarial';
import { readWithKubectl } from '../support/kubectl-read';

// Property: every string the manifest emitter writes reads back identically in js-yaml (YAML 1.2
// core and YAML 1.1) and in kubectl apply's reader (sigs.k8s.io/yaml over goyaml v2), as a value,
// a key, a sequence item and a value nested in a sequence. 100,000 generated adversarial
// strings (fixed seed) plus the seed corpus of strings that once broke the emitter.
// (`kubectl kustomize` cannot serve as a reader here: it re-writes what it read with goyaml v3's
// emitter, which refuses control characters.)

const SEED = 20261129;
const GENERATED = 100_000;
const BATCH = 5_000;
const CORPUS = join(__dirname, '..', 'fixtures', 'yaml-emit', 'seed-corpus.json');

type Probe = Record<string, unknown> & { metadata: { name: string } };

/** One object holding `strings` in every position the emitter distinguishes. */
function probeObject(name: string, strings: string[]): Probe {
  const values: Record<string, string> = {};
  const keyed: Record<string, string> = {};
  strings.forEach((s, i) => {
    values[`v${i}`] = s;
    if (s !== '__proto__') keyed[s] = `k${i}`;
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: values,
    keyed,
    list: strings,
    deep: strings.map((s) => ({ k: s, l: [s] })),
  };
}

/** The strings of `strings` whose positions in `read` differ from `expected`. */
function mismatches(strings: string[], expected: Probe, read: Record<string, unknown> | undefined): string[] {
  if (!read) return strings;
  const bad = new Set<string>();
  const data = (read.data ?? {}) as Record<string, unknown>;
  const keyed = (read.keyed ?? {}) as Record<string, unknown>;
  const list = (read.list ?? []) as unknown[];
  const deep = (read.deep ?? []) as Array<{ k?: unknown; l?: unknown[] }>;
  strings.forEach((s, i) => {
    if (data[`v${i}`] !== s || list[i] !== s || deep[i]?.k !== s || deep[i]?.l?.[0] !== s) bad.add(s);
    if (s !== '__proto__' && keyed[s] !== (expected.keyed as Record<string, string>)[s]) bad.add(s);
  });
  if (Object.keys(keyed).length !== Object.keys(expected.keyed as object).length) {
    for (const k of Object.keys(keyed)) if (!(k in (expected.keyed as object))) bad.add(k);
  }
  return [...bad];
}

function describeFailures(reader: string, failures: string[]): string {
  return `${failures.length} strings did not read back in ${reader}, e.g.:\n${failures
    .slice(0, 10)
    .map((s) => `  ${JSON.stringify(s)}`)
    .join('\n')}`;
}

describe('manifest emitter round trip (property, js-yaml and kubectl)', function () {
  this.timeout(600_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'outerloop-roundtrip-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function check(batches: string[][]): void {
    const files: string[] = [];
    const probes: Probe[] = [];
    const failures: Record<string, Set<string>> = { 'js-yaml core': new Set(), 'js-yaml 1.1': new Set(), 'kubectl apply': new Set() };
    batches.forEach((strings, b) => {
      const probe = probeObject(`probe-${b}`, strings);
      const text = emitYaml(probe);
      for (const [reader, schema] of [
        ['js-yaml core', CORE_SCHEMA],
        ['js-yaml 1.1', YAML11_SCHEMA],
      ] as const) {
        let read: Record<string, unknown> | undefined;
        try {
          read = load(text, { schema }) as Record<string, unknown>;
        } catch {
          read = undefined;
        }
        for (const s of mismatches(strings, probe, read)) failures[reader].add(s);
      }
      const file = `probe-${b}.yaml`;
      writeFileSync(join(work, file), `---\n${text}`);
      files.push(file);
      probes.push(probe);
    });
    const byName = new Map(readWithKubectl(work, files).map((o) => [(o.metadata as { name: string }).name, o]));
    probes.forEach((probe, b) => {
      for (const s of mismatches(batches[b], probe, byName.get(probe.metadata.name))) failures['kubectl apply'].add(s);
    });
    const report = Object.entries(failures)
      .filter(([, set]) => set.size > 0)
      .map(([reader, set]) => describeFailures(reader, [...set]));
    assert.equal(report.length, 0, report.join('\n'));
  }

  it('reads back the seed corpus of strings that once broke the emitter', () => {
    const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')) as string[];
    assert.ok(corpus.length >= 20, 'the seed corpus is missing');
    check([corpus]);
  });

  it(`reads back ${GENERATED.toLocaleString('en')} generated adversarial strings (seed ${SEED})`, () => {
    const random = prng(SEED);
    const batches: string[][] = [];
    for (let n = 0; n < GENERATED; n += BATCH) {
      const batch = new Set<string>();
      while (batch.size < BATCH) batch.add(adversarialString(random));
      batches.push([...batch]);
    }
    check(batches);
  });

  // Every compose field whose string reaches a manifest verbatim, planted through interpolation
  // (`${S_…}`) so that the compose file itself stays simple.
  const FIELDS: Record<string, (v: string) => string> = {
    entrypoint: (v) => `    entrypoint: ["${v}"]\n`,
    command: (v) => `    command: ["run", "${v}"]\n`,
    working_dir: (v) => `    working_dir: "/${v}"\n`,
    environment: (v) => `    environment:\n      VALUE: "${v}"\n`,
    label: (v) => `    labels:\n      com.example.note: "${v}"\n`,
    healthcheck: (v) => `    healthcheck:\n      test: ["CMD", "${v}"]\n`,
  };
  const SERVICES = 250;
  const RENDERS = 8;

  it(`reads back ${(SERVICES * RENDERS).toLocaleString('en')} generated strings in each of the converter's string fields and config contents`, async () => {
    const random = prng(SEED + 1);
    const reached: Record<string, number> = {};
    let typedErrors = 0;
    for (let r = 0; r < RENDERS; r++) {
      const dir = join(work, `render-${r}`);
      mkdirSync(dir, { recursive: true });
      const environment: Record<string, string> = {};
      const planted: Record<string, string[]> = {};
      let compose = 'name: probe\nservices:\n';
      let configs = 'configs:\n';
      for (let i = 0; i < SERVICES; i++) {
        compose += `  s${i}:\n    image: app:1\n`;
        for (const [field, write] of Object.entries({
          ...FIELDS,
          config: (_: string) => `    configs: [{ source: c${i}, target: /etc/c }]\n`,
        })) {
          const value = adversarialString(random);
          environment[`S_${field}_${i}`] = value;
          (planted[field] ??= []).push(field === 'working_dir' ? `/${value}` : value);
          compose += field === 'config' ? write('') : write(`\${S_${field}_${i}}`);
        }
        configs += `  c${i}:\n    content: "\${S_config_${i}}"\n`;
      }
      writeFileSync(join(dir, 'compose.yaml'), compose + configs);
      const annotation = adversarialString(random);
      let result;
      try {
        result = await renderComposeProject({
          source: { files: ['compose.yaml'], workingDir: dir, environment },
          annotations: { 'outerloop.dev/note': annotation },
        });
      } catch (err) {
        if (!(err instanceof OuterloopError)) throw err;
        typedErrors++;
        continue;
      }
      const expected = JSON.parse(JSON.stringify(result.objects)) as Array<Record<string, unknown>>;
      for (const schema of [CORE_SCHEMA, YAML11_SCHEMA])
        assert.deepEqual(loadAll(result.yaml, null, { schema }), expected, `render ${r}: js-yaml read different objects`);
      writeFileSync(join(dir, 'manifests.yaml'), result.yaml);
      assert.deepEqual(readWithKubectl(dir, ['manifests.yaml']), expected, `render ${r}: kubectl read different objects`);
      const leaves = new Set<string>();
      const collect = (v: unknown): void => {
        if (typeof v === 'string') leaves.add(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(collect);
      };
      collect(expected);
      for (const [field, values] of Object.entries(planted))
        reached[field] = (reached[field] ?? 0) + values.filter((v) => leaves.has(v)).length;
      assert.ok(leaves.has(annotation), 'the annotation did not reach the manifests');
    }
    assert.ok(typedErrors <= RENDERS / 4, `${typedErrors} of ${RENDERS} renders refused the generated strings`);
    // Most strings must land verbatim (a few are rewritten on purpose, such as `$(` in commands).
    for (const field of [...Object.keys(FIELDS), 'config'])
      assert.ok(
        (reached[field] ?? 0) >= SERVICES * (RENDERS - typedErrors) * 0.5,
        `${field}: only ${reached[field]} strings reached the manifests`,
      );
  });
});
