import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';

/** ComposeTest@1's bad inputs, from the unpacked .vsix: one sentence naming the input or file, result Failed, nothing started. */
describe('ComposeTest@1 bad inputs (run from the unpacked .vsix)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outerloop-ct-inputs-'));
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: outerloop-test/busybox:latest\n');
    await writeFile(join(dir, 'bad.env'), 'TAG=1\nDB_PASSWORD\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, Record<string, string>, string]> = [
    [
      'no test command or service',
      {},
      "Input 'testCommand' is required unless 'testService' is given: the command that runs the tests on the agent.",
    ],
    [
      'both a test command and a test service',
      { testCommand: 'true', testService: 'web' },
      "Input 'testService' cannot be used together with 'testCommand': give one of them.",
    ],
    [
      'a project name compose would change',
      { testCommand: 'true', projectName: 'Shop App' },
      "Input 'projectName' must be lower-case letters, digits, '-' and '_', starting with a letter or digit, not 'Shop App'.",
    ],
    [
      'a pick-list value that does not exist',
      { testCommand: 'true', pull: 'sometimes' },
      "Input 'pull' must be one of missing, always, never, not 'sometimes'.",
    ],
    [
      'a compose file that does not exist',
      { testCommand: 'true', composeFiles: 'docker-compose.yml\ndocker-compose.ci.yml' },
      "Input 'composeFiles' names 'docker-compose.ci.yml', which does not exist in DIR.",
    ],
    [
      'an env file line that is not NAME=value',
      { testCommand: 'true', envFile: 'bad.env' },
      'DIR/bad.env:2: this line must be NAME=value.',
    ],
  ];
  for (const [name, inputs, message] of cases) {
    it(name, async () => {
      const run = await runVsixTask('compose-test', {
        inputs: { workingDirectory: dir, ...inputs },
        variables: await agentVariables(),
      });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.equal(run.message, message.replace('DIR', dir));
      assert.ok(!/\n\s+at /.test(run.output), `no stack trace\n${describeRun(run)}`);
      assert.ok(!/##\[command\]docker-compose .* up /.test(run.output), 'nothing was started');
    });
  }
});
