import { strict as assert } from 'node:assert';
import { parseLoggingCommand, parseLoggingCommands } from '../../../../src/local-run/agent/logging-commands';

describe('parseLoggingCommand', () => {
  it('reads a setvariable with its properties', () => {
    assert.deepEqual(parseLoggingCommand('##vso[task.setvariable variable=imageId;isOutput=true;issecret=false;]sha256:abc'), {
      command: 'task.setvariable',
      properties: { variable: 'imageId', isoutput: 'true', issecret: 'false' },
      message: 'sha256:abc',
    });
  });

  it('unescapes values and messages the way the agent escapes them', () => {
    const c = parseLoggingCommand('##vso[task.complete result=Failed;]line one%0Aa%3Bb%5D 100%25');
    assert.equal(c?.message, 'line one\na;b] 100%');
    assert.equal(c?.properties['result'], 'Failed');
  });

  it('reads commands without properties', () => {
    assert.deepEqual(parseLoggingCommand('##vso[task.setsecret]p@ss'), { command: 'task.setsecret', properties: {}, message: 'p@ss' });
  });

  it('ignores neutralized and ordinary lines', () => {
    assert.equal(parseLoggingCommand('##~vso[task.complete result=Failed]'), undefined);
    assert.equal(parseLoggingCommand('hello'), undefined);
    assert.equal(parseLoggingCommands('a\n##vso[artifact.upload artifactname=x]/p\nb\n').length, 1);
  });
});
