import { strict as assert } from 'node:assert';
import { LineNeutralizer, neutralizeLoggingCommands } from '../../../src/process/neutralize';

describe('neutralizeLoggingCommands', () => {
  const cases: Array<[string, string, string]> = [
    ['a command at the start of a line', '##vso[task.setvariable variable=x]1', '##~vso[task.setvariable variable=x]1'],
    ['a command after other text', 'step 3: ##vso[task.complete result=Failed]', 'step 3: ##~vso[task.complete result=Failed]'],
    ['upper case', '##VSO[task.complete result=Failed]', '##~VSO[task.complete result=Failed]'],
    ['two commands on one line', '##vso[a.b]##vso[c.d]', '##~vso[a.b]##~vso[c.d]'],
    ['plain text', 'Successfully built 1234', 'Successfully built 1234'],
  ];
  for (const [name, input, expected] of cases) {
    it(`rewrites ${name}`, () => assert.equal(neutralizeLoggingCommands(input), expected));
  }
});

describe('LineNeutralizer', () => {
  it('catches a command split across chunks and emits whole lines only', () => {
    const out: string[] = [];
    const n = new LineNeutralizer((l) => out.push(l));
    n.write('ok\n##v');
    n.write('so[task.setvariable variable=x]1\npartial');
    assert.deepEqual(out, ['ok\n', '##~vso[task.setvariable variable=x]1\n']);
    n.end();
    assert.deepEqual(out.slice(2), ['partial\n']);
  });
});
