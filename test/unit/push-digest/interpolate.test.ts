import { strict as assert } from 'node:assert';
import { interpolateValue } from '../../../src/push-digest/interpolate';

describe('interpolateValue (compose ${VAR} rules, for image names)', () => {
  const env = { REG: '127.0.0.1:5000', TAG: '42', EMPTY: '' };
  const cases: Array<[string, string, string[], string[]]> = [
    ['${REG}/api:${TAG}', '127.0.0.1:5000/api:42', [], []],
    ['$REG/api:$TAG', '127.0.0.1:5000/api:42', [], []],
    ['api:${MISSING:-dev}', 'api:dev', [], []],
    ['api:${EMPTY:-dev}', 'api:dev', [], []],
    ['api:${EMPTY-dev}', 'api:', [], []],
    ['api:${TAG:+set}', 'api:set', [], []],
    ['api:${MISSING+set}', 'api:', [], []],
    ['api:$${TAG}', 'api:${TAG}', [], []],
    ['api:${MISSING}', 'api:', ['MISSING'], []],
    ['api:${MISSING:?the tag is required}', 'api:${MISSING:?the tag is required}', [], ['MISSING the tag is required']],
    ['api:${EMPTY?}', 'api:', [], []],
  ];
  for (const [input, value, unset, errors] of cases) {
    it(`${input} → ${value}`, () => assert.deepEqual(interpolateValue(input, env), { value, unset, errors }));
  }
});
