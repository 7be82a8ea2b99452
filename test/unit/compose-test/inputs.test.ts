import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import { readComposeTestInputs } from '../../../src/compose-test/inputs';
import { InputReader } from '../../../src/pipeline/inputs';
import type { TaskEnvironment } from '../../../src/pipeline/interfaces';

function reader(inputs: Record<string, string>, variables: Record<string, string> = {}): InputReader {
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => variables[name],
    endpoint: () => undefined,
  };
  return new InputReader(env);
}

const VARS = {
  'System.DefaultWorkingDirectory': '/agent/s',
  'Build.Repository.Name': 'Shop',
  'Build.BuildId': '42',
  'Agent.TempDirectory': '/agent/_temp',
};

describe('readComposeTestInputs', () => {
  it('reads the defaults the task.json gives and derives the project name', () => {
    const inputs = readComposeTestInputs(reader({ composeFiles: 'docker-compose.yml\nci.yml', testCommand: 'npm test' }, VARS));
    assert.deepEqual(inputs, {
      compose: { files: ['docker-compose.yml', 'ci.yml'], workingDir: '/agent/s', environment: {}, profiles: [] },
      workingDirectory: '/agent/s',
      projectName: 'shop-42',
      build: true,
      pull: 'missing',
      services: [],
      waitTimeoutSeconds: 180,
      test: { kind: 'command', command: 'npm test' },
      testResults: undefined,
      logsArtifact: undefined,
      logsOnSuccess: false,
      teardown: 'always',
      removeImages: false,
      logsRoot: '/agent/_temp',
      pipeline: { repositoryName: 'Shop', buildId: '42' },
    });
  });

  it('reads every input', () => {
    const inputs = readComposeTestInputs(
      reader(
        {
          composeFiles: 'a.yml',
          workingDirectory: 'app',
          projectName: 'my_proj-1',
          environment: 'A=1\n# c\nB = two',
          envFile: 'ci.env',
          build: 'false',
          pull: 'Never',
          services: 'api\nweb',
          profiles: 'debug, e2e',
          waitTimeout: '30',
          testService: 'tests',
          testResultsFiles: 'out/*.xml',
          testResultsFormat: 'nunit',
          logsArtifact: 'logs',
          logsOnSuccess: 'true',
          teardown: 'onsuccess',
          removeImages: 'true',
        },
        VARS,
      ),
    );
    assert.deepEqual(
      { ...inputs, pipeline: undefined },
      {
        compose: {
          files: ['a.yml'],
          workingDir: '/agent/s/app',
          environment: { A: '1', B: 'two' },
          envFiles: ['/agent/s/app/ci.env'],
          profiles: ['debug', 'e2e'],
          projectName: 'my_proj-1',
        },
        workingDirectory: '/agent/s/app',
        projectName: 'my_proj-1',
        build: false,
        pull: 'never',
        services: ['api', 'web'],
        waitTimeoutSeconds: 30,
        test: { kind: 'service', service: 'tests' },
        testResults: { files: 'out/*.xml', format: 'NUnit' },
        logsArtifact: 'logs',
        logsOnSuccess: true,
        teardown: 'onSuccess',
        removeImages: true,
        logsRoot: '/agent/_temp',
        pipeline: undefined,
      },
    );
  });

  it('treats the sources folder the agent puts in an empty file-path input as no env file', () => {
    assert.equal(
      readComposeTestInputs(reader({ composeFiles: 'a.yml', testCommand: 'x', envFile: '/agent/s' }, VARS)).compose.envFiles,
      undefined,
    );
  });

  const errors: Array<[string, Record<string, string>, string]> = [
    [
      'no compose files',
      { composeFiles: ' ', testCommand: 'x' },
      "Input 'composeFiles' is required: the compose files to bring up, one per line.",
    ],
    [
      'no tests',
      { composeFiles: 'a.yml' },
      "Input 'testCommand' is required unless 'testService' is given: the command that runs the tests on the agent.",
    ],
    [
      'both kinds of tests',
      { composeFiles: 'a.yml', testCommand: 'x', testService: 'y' },
      "Input 'testService' cannot be used together with 'testCommand': give one of them.",
    ],
    [
      'a project name compose would change',
      { composeFiles: 'a.yml', testCommand: 'x', projectName: 'My.App' },
      "Input 'projectName' must be lower-case letters, digits, '-' and '_', starting with a letter or digit, not 'My.App'.",
    ],
    ['a zero timeout', { composeFiles: 'a.yml', testCommand: 'x', waitTimeout: '0' }, "Input 'waitTimeout' must be at least 1, not 0."],
    [
      'an unknown teardown',
      { composeFiles: 'a.yml', testCommand: 'x', teardown: 'sometimes' },
      "Input 'teardown' must be one of always, onSuccess, never, not 'sometimes'.",
    ],
    [
      'a bad artifact name',
      { composeFiles: 'a.yml', testCommand: 'x', logsArtifact: 'logs/../x' },
      `Input 'logsArtifact' must be an artifact name, without any of " / \\ : < > | * ?, not 'logs/../x'.`,
    ],
    [
      'a bad environment line',
      { composeFiles: 'a.yml', testCommand: 'x', environment: 'A=1\nnot a pair' },
      "Input 'environment' line 2 must be NAME=value.",
    ],
  ];
  for (const [name, given, message] of errors) {
    it(`rejects ${name} with one sentence naming the input`, () => {
      assert.throws(
        () => readComposeTestInputs(reader(given, VARS)),
        (e: unknown) => e instanceof InputError && e.message === message,
      );
    });
  }
});
