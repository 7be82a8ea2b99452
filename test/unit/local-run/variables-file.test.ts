import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import { readVariablesFile } from '../../../src/local-run/variables-file';

describe('--variables-file', () => {
  it('reads name: value as variables and name: { value, secret: true } as secrets, every value as text', () => {
    const read = readVariablesFile(
      'registry: 127.0.0.1:5000\nversion: 1.10\nregPassword:\n  value: s3cret\n  secret: true\nplain:\n  value: shown\n',
      'vars.yml',
    );
    assert.deepEqual(read, {
      variables: { registry: '127.0.0.1:5000', version: '1.10', plain: 'shown' },
      secrets: { regPassword: 's3cret' },
    });
    assert.deepEqual(readVariablesFile('', 'empty.yml'), { variables: {}, secrets: {} });
  });

  const bad: Array<[text: string, message: string]> = [
    ['- a\n- b\n', 'vars.yml: a variables file is a mapping of name: value.'],
    ['ok: 1\nbad name: 2\n', "vars.yml:2: 'bad name' is not a variable name."],
    ['token:\n  secret: true\n', "vars.yml:1: variable 'token' must be a value, or a mapping with value: (and secret: true)."],
    ['token:\n  value: x\n  group: prod\n', "vars.yml:1: variable 'token': 'group' is not a key here (value, secret)."],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)} naming the file and line, never the value`, () => {
      assert.throws(
        () => readVariablesFile(text, 'vars.yml'),
        (err: unknown) => err instanceof FileError && err.message === message,
      );
    });
  }
});
