import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import { ComposeTag, parseYamlDocuments, parseYamlForEditing } from '../../../src/compose/yaml';

function parse(text: string): unknown {
  return parseYamlDocuments(text, 'c.yaml')[0].value;
}

function billionLaughs(levels: number): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < levels; i++) {
    const name = `l${i}`;
    const prev = i === 1 ? 'a' : `l${i - 1}`;
    text += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
  }
  return text;
}

describe('compose YAML', () => {
  it('resolves plain scalars by the YAML 1.2 core schema, and leading-zero octal as Compose does', () => {
    assert.deepEqual(parse('a: 1\nb: 1.5\nc: true\nd: ~\ne: "1"\nf: yes\ng: 0x1f\nh: 0440\ni: 08'), {
      a: 1,
      b: 1.5,
      c: true,
      d: null,
      e: '1',
      f: 'yes',
      g: 31,
      h: 0o440,
      i: 8,
    });
  });

  it('gives every key path its file:line:column', () => {
    const [doc] = parseYamlDocuments('services:\n  web:\n    ports:\n      - "80"\n      - 443\n', 'c.yaml');
    assert.equal(doc.sources.locate(['services', 'web', 'ports']), 'c.yaml:3:5');
    assert.equal(doc.sources.locate(['services', 'web', 'ports', 1]), 'c.yaml:5:9');
    assert.equal(doc.sources.locate(['services', 'web', 'ports', 9, 'x']), 'c.yaml:3:5');
  });

  it('keeps, when parsing for editing, how each value is written', () => {
    const text = 'a: &x "q"\nb: *x\nc: {d: 1}\ne:\n  - |\n    block\nf:\n';
    const [doc] = parseYamlForEditing(text, 'c.yaml');
    const spanText = (path: Array<string | number>) => {
      const span = doc.sources.span(path)!;
      return span.kind === 'scalar' || span.kind === 'alias' ? [span.kind, text.slice(span.start, span.end)] : [span.kind, span.flow];
    };
    assert.deepEqual(
      [spanText(['a']), spanText(['b']), spanText(['c']), spanText(['c', 'd']), spanText(['e'])],
      [
        ['scalar', 'q'],
        ['alias', '*x'],
        ['mapping', true],
        ['scalar', '1'],
        ['sequence', false],
      ],
    );
    assert.deepEqual(
      [doc.sources.span(['e', 0]), doc.sources.span(['f'])].map((s) => s?.kind === 'scalar' && (s.block || s.start < 0)),
      [true, true],
    );
    assert.equal(parseYamlDocuments(text, 'c.yaml')[0].sources.span(['a']), undefined, 'a plain parse keeps no spans');
  });

  it('reads !reset and !override as compose tags', () => {
    const value = parse('a: !reset []\nb: !reset\nc: !override {x: 1}\nd: !override 5') as Record<string, ComposeTag>;
    assert.deepEqual([value.a.tag, value.a.value], ['reset', []]);
    assert.deepEqual([value.b.tag, value.b.value], ['reset', null]);
    assert.deepEqual([value.c.tag, value.c.value], ['override', { x: 1 }]);
    assert.deepEqual([value.d.tag, value.d.value], ['override', 5]);
  });

  it("applies merge keys, with the mapping's own keys winning", () => {
    assert.deepEqual(parse('x: &x {a: 1, b: 1}\ny: &y {c: 2}\nz:\n  <<: [*x, *y]\n  b: 3'), {
      x: { a: 1, b: 1 },
      y: { c: 2 },
      z: { a: 1, b: 3, c: 2 },
    });
  });

  it('keeps __proto__ as an ordinary key', () => {
    const value = parse('__proto__: {polluted: true}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['malformed YAML', 'a: [1,\n  b: c', /^c\.yaml:2:\d+: is not valid YAML/],
    ['a duplicate key', 'a: 1\nb: 2\na: 3', /^c\.yaml:3:1: the key 'a' appears twice/],
    ['an unknown alias', 'a: *nope', /^c\.yaml:1:\d+: the alias \*nope refers to no anchor/],
    ['an unknown tag', 'a: !secret x', /^c\.yaml:1:\d+: the YAML tag !secret is not supported/],
    ['a mapping as a key', '? {a: 1}\n: x', /a mapping key must be a plain value/],
    ['a bad merge', 'a:\n  <<: 5', /a merge key \(<<\) takes a mapping/],
    ['a wrong explicit type', 'a: !!int abc', /'abc' is not a valid !!int value/],
  ];
  for (const [what, text, message] of errors) {
    it(`rejects ${what} with a position`, () => {
      assert.throws(
        () => parse(text),
        (err: unknown) => err instanceof FileError && message.test(err.message),
      );
    });
  }

  it('rejects an alias bomb in well under 100 ms without expanding it', () => {
    const text = billionLaughs(12);
    const started = process.hrtime.bigint();
    assert.throws(
      () => parse(text),
      (err: unknown) => err instanceof FileError && /alias bomb/.test(err.message),
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 100, `took ${ms} ms`);
  });

  it('accepts ordinary anchor reuse', () => {
    const services = Array.from({ length: 200 }, (_, i) => `  s${i}: *common`).join('\n');
    const value = parse(`x: &common {image: busybox, environment: {A: "1"}}\nservices:\n${services}\n`) as {
      services: Record<string, unknown>;
    };
    assert.equal(Object.keys(value.services).length, 200);
  });

  it('rejects a file larger than the limit before parsing it', () => {
    assert.throws(
      () => parseYamlDocuments('a: 1', 'big.yaml', { maxLength: 3, maxExpansion: 10, minNodes: 10 }),
      /larger than 3 characters/,
    );
  });
});
