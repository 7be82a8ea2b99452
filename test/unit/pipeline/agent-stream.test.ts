import { strict as assert } from 'node:assert';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { guardStream } from '../../../src/pipeline/agent-stream';

// Everything a task process prints goes through one neutralizing writer: only the task library's
// own commands pass as commands, whatever else writes to the stream (console.log included).
describe('guardStream', () => {
  function fakeStream(): Writable & { text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    });
    return Object.assign(stream, { text: () => chunks.join('') });
  }

  it("neutralizes console.log, raw writes, split commands and buffers; lets the task's own commands through", () => {
    const stream = fakeStream();
    const guard = guardStream(stream as unknown as Parameters<typeof guardStream>[0]);
    const console = new Console(stream);
    console.log('build ##vso[task.setvariable variable=PWNED]yes');
    stream.write('##V');
    stream.write('SO[task.complete result=Failed]split\n');
    stream.write(Buffer.from('##vso[task.setsecret]x é\n'));
    stream.write('partial ##vso[');
    guard.writeCommand('##vso[task.setvariable variable=ok]1\n');
    guard.writeCommand('##vso[task.debug]input=##vso[task.setvariable variable=PWNED]x\n');
    guard.restore();
    const lines = stream.text().split('\n');
    assert.deepEqual(lines, [
      'build ##~vso[task.setvariable variable=PWNED]yes',
      '##~VSO[task.complete result=Failed]split',
      '##~vso[task.setsecret]x é',
      'partial ##~vso[',
      '##vso[task.setvariable variable=ok]1',
      '##vso[task.debug]input=##~vso[task.setvariable variable=PWNED]x',
      '',
    ]);
  });

  it("puts the stream's write back", () => {
    const stream = fakeStream();
    const original = stream.write;
    guardStream(stream as unknown as Parameters<typeof guardStream>[0]).restore();
    assert.equal(stream.write, original);
  });
});
