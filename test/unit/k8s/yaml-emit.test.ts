import { strict as assert } from 'node:assert';
import { CORE_SCHEMA, YAML11_SCHEMA, load } from 'js-yaml';
import { ManifestEmitError, emitYaml } from '../../../src/k8s/yaml-emit';
import { listConvertFixtures, readExpected } from '../../support/convert-fixtures';
import { loadAll } from 'js-yaml';

// The manifest emitter must write data every YAML reader reads back unchanged (YAML 1.2 core and
// YAML 1.1, as kubectl's reader does), with sorted keys.
function roundTrip(value: Record<string, unknown>): void {
  const text = emitYaml(value);
  assert.deepEqual(load(text, { schema: CORE_SCHEMA }), value, text);
  assert.deepEqual(load(text, { schema: YAML11_SCHEMA }), value, text);
}

describe('manifest YAML emitter', () => {
  const tricky = [
    '',
    ' ',
    'yes',
    'No',
    'ON',
    'off',
    'y',
    'N',
    'true',
    'False',
    'null',
    'Null',
    '~',
    '1',
    '-1',
    '0x1f',
    '0o17',
    '017',
    '1e3',
    '1_000',
    '.5',
    '.inf',
    '-.Inf',
    '.NaN',
    '2001-12-14',
    '12:30:45',
    '1:2',
    'a: b',
    'a:b',
    'a #b',
    'a#b',
    '#comment',
    '- item',
    '? x',
    '@at',
    '`tick',
    '!tag',
    '&anchor',
    '*alias',
    '|',
    '>',
    '%',
    '{a}',
    '[a]',
    'a, b',
    '"quoted"',
    "'single'",
    'trailing ',
    ' leading',
    'tab\there',
    'line1\nline2',
    'ends with newline\n',
    'two newlines\n\n',
    'no newline\nat end',
    '\nleading newline',
    '  indented\nblock',
    'unicode ünïcödé ✓',
    'emoji 🚀',
    '$(date) $HOME ${X}',
    'http://example.com:8080/x?y=1#z',
    'repo@sha256:abc',
    'C:\\path',
    'back\\slash',
    'ctrl\u0001char',
    'line\r\nwindows',
    '<<',
    '=',
    'a'.repeat(300),
    '-',
    '-c',
    '--for=x',
    '-1.5',
    '-.5',
    '- x',
    '$HOME',
    '$(x)',
    '20Gi',
    '500m',
    '1e3',
    '0 3 * * *',
    '-\tx',
    '-inf',
    '127.0.0.1:5000/api@sha256:abc',
    '10.0.0.1/8',
    '1@x',
    '2001-12-14/x',
    '1/2: x',
    '1/2 #x',
    '1/',
    '12:30/x',
  ];
  it('round-trips tricky strings as values and keys', () => {
    for (const text of tricky) {
      roundTrip({ value: text });
      roundTrip({ [text]: 'key' });
      roundTrip({ list: [text, { nested: text }] });
    }
  });

  it('round-trips numbers, booleans, null, empty and nested collections', () => {
    roundTrip({
      a: 1,
      b: -2,
      c: 1.5,
      d: true,
      e: false,
      f: null,
      g: [],
      h: {},
      i: [[1, [2]], [], {}],
      j: { k: { l: [{ m: 1, n: [{ o: 'p' }] }] } },
    });
  });

  it('writes registry images that start with a digit plain, as js-yaml does', () => {
    assert.equal(emitYaml({ image: '127.0.0.1:5000/shop/api@sha256:1' }), 'image: 127.0.0.1:5000/shop/api@sha256:1\n');
    assert.equal(emitYaml({ a: '10.1.2.3', b: '1:20' }), 'a: "10.1.2.3"\nb: "1:20"\n');
  });

  it('never writes a multi-line string that starts with a digit and holds / or @ plain (key injection)', () => {
    const note = '1/\n          securityContext:\n            privileged:\n              true';
    const manifest = { spec: { containers: [{ env: [{ name: 'NOTE', value: note }], name: 'app' }] } };
    const text = emitYaml(manifest);
    assert.deepEqual(load(text), manifest, text);
    assert.match(text, /value: \|-\n {12}1\/\n/);
    roundTrip({ crontab: '0 3 * * * /usr/local/bin/x\n', b: '1@x\ny: z', c: '1/\tx', d: '1/\rx' });
  });

  it('escapes what YAML 1.1 readers take as line breaks or refuse: NEL, U+2028/9, DEL, C1, BOM, U+FFFE/F', () => {
    for (const c of ['\u0085', '\u2028', '\u2029', '\x7f', '\x80', '\x9f', '\ufeff', '\ufffe', '\uffff']) {
      const text = emitYaml({ v: `a${c}b`, w: `a${c}\nb` });
      assert.ok(!text.includes(c), `${JSON.stringify(c)} written raw: ${text}`);
      roundTrip({ v: `a${c}b`, w: `a${c}\nb` });
    }
  });

  it("writes keys longer than YAML's 1024-character implicit key limit as explicit keys", () => {
    const long = 'k'.repeat(2000);
    assert.match(emitYaml({ [long]: 'v' }), /^\? k+\n: v\n$/);
    roundTrip({ [long]: 'v', [`${long}\u0085`]: { a: [1] }, list: [{ [long]: [long] }] });
  });

  it('refuses a lone UTF-16 surrogate, naming where it is, instead of writing what Kubernetes cannot read', () => {
    assert.throws(
      () => emitYaml({ spec: { env: [{ value: 'x\ud800' }] } }),
      (err: unknown) => err instanceof ManifestEmitError && /'spec\.env\.0\.value' holds a lone UTF-16 surrogate/.test(err.message),
    );
    roundTrip({ emoji: '\ud83d\ude80' });
  });

  it('sorts keys and leaves out undefined', () => {
    assert.equal(emitYaml({ b: 1, a: { d: 2, c: undefined } }), 'a:\n  d: 2\nb: 1\n');
  });

  it('reads every golden manifest back to the same objects', () => {
    for (const name of listConvertFixtures()) {
      const yaml = readExpected(name).yaml;
      if (!yaml) continue;
      for (const doc of loadAll(yaml) as Array<Record<string, unknown>>) roundTrip(doc);
    }
  });
});
