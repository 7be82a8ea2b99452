import { strict as assert } from 'node:assert';
import { NodeProcessRunner, failureReason, formatCommandLine, lastLines } from '../../../src/process/runner';
import { ToolError } from '../../../src/common/errors';

function sink(): { text: string; write(t: string): void } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

describe('NodeProcessRunner', () => {
  it('streams output neutralized, captures it raw, and returns the exit code', async () => {
    const log = sink();
    const result = await new NodeProcessRunner(log).exec(process.execPath, [
      '-e',
      'console.log("##vso[task.setvariable variable=pwned]1"); console.error("err line"); process.exit(3)',
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stdout, /##vso\[task.setvariable/);
    assert.ok(!log.text.includes('##vso[task'), log.text);
    assert.match(log.text, /##~vso\[task.setvariable variable=pwned\]1/);
    assert.match(log.text, /err line/);
    assert.match(log.text, /^##\[command\]/);
  });

  it('passes stdin to the child and never shows it', async () => {
    const log = sink();
    const result = await new NodeProcessRunner(log).exec(
      process.execPath,
      ['-e', 'process.stdin.on("data", d => process.stdout.write(String(d.length)))'],
      { stdin: 's3cret-value', quiet: true },
    );
    assert.equal(result.stdout, '12');
    assert.ok(!log.text.includes('s3cret'));
  });

  it('turns a missing program into a ToolError naming it', async () => {
    await assert.rejects(new NodeProcessRunner(sink()).exec('outerloop-no-such-tool', []), (err: unknown) => {
      assert.ok(err instanceof ToolError);
      assert.match(err.message, /'outerloop-no-such-tool' was not found on PATH/);
      return true;
    });
  });

  it('kills the child when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = new NodeProcessRunner(sink()).exec(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      signal: controller.signal,
      quiet: true,
    });
    setTimeout(() => controller.abort(), 100);
    const result = await pending;
    assert.notEqual(result.code, 0);
  });

  it('hands each stdout line to onStdoutLine, split across chunks or not', async () => {
    const lines: string[] = [];
    await new NodeProcessRunner(sink()).exec(
      process.execPath,
      ['-e', 'process.stdout.write("a\\nb"); setTimeout(() => process.stdout.write("c\\nd\\n"), 50)'],
      { quiet: true, onStdoutLine: (l) => lines.push(l) },
    );
    assert.deepEqual(lines, ['a', 'bc', 'd']);
  });

  it('with processGroup, an abort ends the command and the children it started', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = new NodeProcessRunner(sink()).exec('sh', ['-c', 'sleep 30 & sleep 30; wait'], {
      signal: controller.signal,
      quiet: true,
      processGroup: true,
    });
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    assert.notEqual(result.code, 0);
    // 'close' only comes once every holder of the output pipes (the background sleep too) is gone.
    assert.ok(Date.now() - started < 2500, 'SIGTERM reached the background child too');
  });
});

describe('formatCommandLine and lastLines', () => {
  it('quotes arguments that a shell would split', () => {
    assert.equal(
      formatCommandLine('docker', ['build', '-t', 'a:b', '--label', 'x=a b', "it's"]),
      `docker build -t a:b --label 'x=a b' 'it'\\''s'`,
    );
  });
  it('keeps the last non-empty lines', () => {
    assert.deepEqual(lastLines('a\n\nb\nc\n\n', 2), ['b', 'c']);
  });
});

describe('failureReason', () => {
  it('gives the last error line, else the last output line, else the exit code', () => {
    assert.equal(failureReason({ code: 1, stdout: 'out\n', stderr: 'warn\nError: denied\n' }), 'Error: denied');
    assert.equal(failureReason({ code: 1, stdout: 'only output\n', stderr: '' }), 'only output');
    assert.equal(failureReason({ code: 7, stdout: '', stderr: '\n' }), 'exit code 7');
  });
});
