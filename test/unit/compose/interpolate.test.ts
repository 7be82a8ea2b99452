import { strict as assert } from 'node:assert';
import { InterpolationError, interpolateString, interpolateTree } from '../../../src/compose/interpolate';

const vars: Record<string, string> = { SET: 'value', EMPTY: '', TAG: '1.2', NESTED: 'inner' };
const lookup = (name: string): string | undefined => vars[name];

describe('compose interpolation', () => {
  const cases: Array<[string, string, string[]?]> = [
    ['plain text', 'plain text'],
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['a${SET}b$SET.c', 'avalueb' + 'value.c'],
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['cost: 5$', 'cost: 5$'],
    ['$1 and $ alone', '$1 and $ alone'],
    ['${UNSET}', '', ['UNSET']],
    ['$UNSET-x', '-x', ['UNSET']],
    ['${UNSET:-default}', 'default'],
    ['${EMPTY:-default}', 'default'],
    ['${EMPTY-default}', ''],
    ['${UNSET-default}', 'default'],
    ['${SET:-default}', 'value'],
    ['${SET:+replaced}', 'replaced'],
    ['${EMPTY:+replaced}', ''],
    ['${EMPTY+replaced}', 'replaced'],
    ['${UNSET+replaced}', ''],
    ['${UNSET:-${NESTED}}', 'inner'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['${UNSET:-a $$ b}', 'a $ b'],
    ['${UNSET:-{braces}}', '{braces}'],
    ['${SET:?must be set}', 'value'],
    ['image:${TAG}', 'image:1.2'],
  ];
  for (const [input, expected, unset] of cases) {
    it(`${input} → ${JSON.stringify(expected)}`, () => {
      const result = interpolateString(input, lookup);
      assert.equal(result.value, expected);
      assert.deepEqual(result.unset, unset ?? []);
    });
  }

  const errors: Array<[string, RegExp]> = [
    ['${UNSET:?set it please}', /required variable UNSET is not set: set it please/],
    ['${EMPTY:?}', /required variable EMPTY is empty/],
    ['${UNSET?}', /required variable UNSET is not set/],
    ['${unclosed', /unclosed/],
    ['${}', /does not start with a letter/],
    ['${1abc}', /does not start with a letter/],
    ['${SET/x}', /invalid/],
  ];
  for (const [input, message] of errors) {
    it(`${input} is an InterpolationError`, () => {
      assert.throws(
        () => interpolateString(input, lookup),
        (err: unknown) => err instanceof InterpolationError && message.test(err.message),
      );
    });
  }

  it('resolves image names as PushDigest matches them', () => {
    const env: Record<string, string> = { REG: '127.0.0.1:5000', TAG: '42', EMPTY: '' };
    const cases: Array<[string, string, string[]]> = [
      ['${REG}/api:${TAG}', '127.0.0.1:5000/api:42', []],
      ['$REG/api:$TAG', '127.0.0.1:5000/api:42', []],
      ['api:${MISSING:-dev}', 'api:dev', []],
      ['api:${EMPTY:-dev}', 'api:dev', []],
      ['api:${EMPTY-dev}', 'api:', []],
      ['api:${TAG:+set}', 'api:set', []],
      ['api:${MISSING+set}', 'api:', []],
      ['api:$${TAG}', 'api:${TAG}', []],
      ['api:${MISSING}', 'api:', ['MISSING']],
      ['api:${EMPTY?}', 'api:', []],
    ];
    for (const [input, value, unset] of cases)
      assert.deepEqual(
        interpolateString(input, (name) => env[name]),
        { value, unset },
        input,
      );
    assert.throws(
      () => interpolateString('api:${MISSING:?the tag is required}', (name) => env[name]),
      (err: unknown) => err instanceof InterpolationError && err.message === 'required variable MISSING is not set: the tag is required.',
    );
  });

  it('${EMPTY?x} accepts a set but empty variable', () => {
    assert.equal(interpolateString('${EMPTY?x}', lookup).value, '');
  });

  it('interpolates values in a tree, leaves keys alone, and reports each unset variable once with its path', () => {
    const tree = { services: { web: { image: 'x:${TAG}', environment: { $KEY: '${UNSET}', B: '${UNSET}' }, ports: ['${SET}'] } } };
    const result = interpolateTree(tree, lookup, (_p, e) => e);
    assert.deepEqual(result.value, { services: { web: { image: 'x:1.2', environment: { $KEY: '', B: '' }, ports: ['value'] } } });
    assert.deepEqual(result.unset, [{ name: 'UNSET', path: ['services', 'web', 'environment', '$KEY'] }]);
  });

  it('refuses nesting deeper than 64 instead of overflowing the stack (3,000 nested ${A:-…})', () => {
    let nested = 'x';
    for (let i = 0; i < 3000; i++) nested = `\${A:-${nested}}`;
    assert.throws(
      () => interpolateString(nested, () => undefined),
      (err: unknown) => err instanceof InterpolationError && err.message === 'nests ${…} more than 64 deep.',
    );
    let fine = 'x';
    for (let i = 0; i < 60; i++) fine = `\${A:-${fine}}`;
    assert.equal(interpolateString(fine, () => undefined).value, 'x');
  });

  it('bounds what one string and one document may grow to', () => {
    const big = 'y'.repeat(600_000);
    assert.throws(() => interpolateString('${A}${A}', (n) => (n === 'A' ? big : undefined)), /expands to more than 1 Mi characters/);
    const tree = { services: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, { image: '${A}' }])) };
    assert.throws(
      () =>
        interpolateTree(
          tree,
          (n) => (n === 'A' ? big : undefined),
          (path, err) => new Error(`${path.join('.')}: ${err.message}`),
        ),
      /^Error: services\.s\d+\.image: makes the document grow by more than 16 Mi characters through interpolation\.$/,
    );
  });

  it('never reads the process environment', () => {
    process.env['OUTERLOOP_TEST_LEAK'] = 'leaked';
    try {
      assert.equal(interpolateString('${OUTERLOOP_TEST_LEAK}', () => undefined).value, '');
    } finally {
      delete process.env['OUTERLOOP_TEST_LEAK'];
    }
  });
});

describe('interpolation errors', () => {
  it('never repeat the value they come from (it may be a secret)', () => {
    for (const text of ['p4ss${word', 'p4ss${1word}', 'p4ss${word/x}']) {
      assert.throws(
        () => interpolateString(text, () => undefined),
        (err: unknown) => err instanceof InterpolationError && !err.message.includes('p4ss'),
      );
    }
  });
});
