import { strict as assert } from 'node:assert';
import { parseDotenv } from '../../../src/compose/dotenv';
import { FileError } from '../../../src/common/errors';

const outer: Record<string, string> = { OUTER: 'from-outside', HOME_LIKE: '/home/x' };
const lookup = (name: string): string | undefined => outer[name];

describe('dotenv syntax (.env and env_file)', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['simple', 'A=1\nB=two', { A: '1', B: 'two' }],
    ['export prefix', 'export A=1', { A: '1' }],
    ['colon separator', 'A: 1', { A: '1' }],
    ['comments and blank lines', '# comment\n\n  # indented\nA=1\n', { A: '1' }],
    ['inline comment after space', 'A=value # comment', { A: 'value' }],
    ['hash without space is kept', 'A=value#notcomment', { A: 'value#notcomment' }],
    ['trailing spaces trimmed', 'A=value   ', { A: 'value' }],
    ['spaces around =', 'A = value', { A: 'value' }],
    ['empty value', 'A=', { A: '' }],
    ['single quotes are literal', "A='$OUTER \\n # x'", { A: '$OUTER \\n # x' }],
    ['double quotes expand escapes', 'A="a\\tb\\nc \\"q\\" \\\\"', { A: 'a\tb\nc "q" \\' }],
    ['double quotes keep #', 'A="x # y" # real comment', { A: 'x # y' }],
    ['double quotes interpolate', 'A="${OUTER}"', { A: 'from-outside' }],
    ['escaped dollar in double quotes', 'A="\\$OUTER"', { A: '$OUTER' }],
    ['unquoted interpolates', 'A=$OUTER/x', { A: 'from-outside/x' }],
    ['earlier keys are visible', 'A=1\nB=${A}2', { A: '1', B: '12' }],
    ['defaults', 'A=${NOPE:-d}', { A: 'd' }],
    ['multi-line double quotes', 'A="line1\nline2"\nB=3', { A: 'line1\nline2', B: '3' }],
    ['multi-line single quotes', "A='l1\nl2'", { A: 'l1\nl2' }],
    ['bare key takes the outer value', 'OUTER\nMISSING', { OUTER: 'from-outside' }],
    ['CRLF line ends', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['later keys win', 'A=1\nA=2', { A: '2' }],
    ['dotted and dashed keys', 'my.key=1\nmy-key=2', { 'my.key': '1', 'my-key': '2' }],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      assert.deepEqual(parseDotenv(text, 'test.env', { lookup }).values, expected);
    });
  }

  it('raw format takes values as written', () => {
    assert.deepEqual(parseDotenv('A="$OUTER" # x', 'raw.env', { lookup, format: 'raw' }).values, { A: '"$OUTER" # x' });
  });

  it('interpolate: false keeps every $ literal', () => {
    assert.deepEqual(parseDotenv('A=$OUTER\nB="pa$$w\\$rd"\nC=\'$x\'', 'lit.env', { lookup, interpolate: false }).values, {
      A: '$OUTER',
      B: 'pa$$w$rd',
      C: '$x',
    });
  });

  it('strict: every line is NAME=value with a portable name', () => {
    assert.deepEqual(parseDotenv('export A = 1\nB.c-d="x # y"', 's.env', { strict: true }).values, { A: '1', 'B.c-d': 'x # y' });
    for (const [text, message] of [
      ['A=1\nBARE', 's.env:2: this line must be NAME=value.'],
      ['A: 1', 's.env:1: this line must be NAME=value.'],
      ['1X=s3cret', 's.env:1: this line must be NAME=value, and the text before = is not a variable name.'],
    ]) {
      assert.throws(
        () => parseDotenv(text, 's.env', { lookup, strict: true }),
        (err: unknown) => err instanceof FileError && err.message === message,
      );
    }
  });

  it('reports unset variables', () => {
    assert.deepEqual(parseDotenv('A=$NOPE', 'x.env', { lookup }).unset, ['NOPE']);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['unclosed double quote', 'A=1\nB="open', /^x\.env:2: the value of B opens a double quote that is never closed/],
    ['text after the closing quote', 'A="x" y', /^x\.env:1: the value of A has text after its closing quote/],
    ['invalid key', 'A B=1', /^x\.env:1: this line does not start with a valid variable name/],
    [
      'a secret pasted without its name',
      'A=1\nhunter2 s3cret-Pa55',
      /^x\.env:2: this line does not start with a valid variable name \(a line is KEY=value\)\.$/,
    ],
    ['required variable', 'A=${NOPE:?needed}', /^x\.env:1: the value of A: required variable NOPE is not set: needed/],
  ];
  for (const [what, text, message] of errors) {
    it(`rejects ${what} with file:line`, () => {
      assert.throws(
        () => parseDotenv(text, 'x.env', { lookup }),
        (err: unknown) => err instanceof FileError && message.test(err.message),
      );
    });
  }
});

describe('dotenv parser on arbitrary text', () => {
  it('returns values or a FileError, never anything else (2,000 random inputs)', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = [
      'A',
      'b',
      '_',
      '=',
      ':',
      ' ',
      '\t',
      '\n',
      '\r',
      '#',
      '"',
      "'",
      '\\',
      '$',
      '{',
      '}',
      '-',
      '?',
      '+',
      'x',
      'export ',
      'é',
    ];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(random() * 60) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      try {
        const result = parseDotenv(text, 'fuzz.env', { lookup });
        for (const value of Object.values(result.values)) assert.equal(typeof value, 'string');
      } catch (err) {
        assert.ok(err instanceof FileError, `${JSON.stringify(text)} threw ${String(err)}`);
      }
    }
  });

  it('bounds expansion as YAML aliases are bounded: a 650-byte file of doubling variables is one sentence, not "Invalid string length"', () => {
    let text = 'A0=xxxxxxxxxxxxxxxx\n';
    for (let i = 1; i < 40; i++) text += `A${i}=\${A${i - 1}}\${A${i - 1}}\n`;
    assert.throws(
      () => parseDotenv(text, 'd.env', { lookup: () => undefined }),
      (err: unknown) =>
        err instanceof FileError &&
        err.message === 'd.env:18: the value of A17: expands to more than 1 Mi characters: a variable may not grow past that.',
    );
    let many = 'A=' + 'z'.repeat(1_000_000) + '\n';
    for (let i = 0; i < 20; i++) many += `B${i}=\${A}\n`;
    assert.throws(
      () => parseDotenv(many, 'm.env', { lookup: () => undefined }),
      /^FileError: m\.env:17: the values of this file grow past 16 Mi characters through expansion\.$/,
    );
  });
});
