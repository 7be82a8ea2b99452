import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { InputReader } from '../pipeline/inputs';
import type { TestResultsFormat } from '../pipeline/interfaces';
import { InputError } from '../common/errors';
import { planProjectName, validateProjectName } from './plan';

/** How the tests run: a command line on the agent, or a compose service with `run --rm`. */
export type TestSpec = { kind: 'command'; command: string } | { kind: 'service'; service: string };

/** When the app is torn down. */
export type TeardownPolicy = 'always' | 'onSuccess' | 'never';

/** When images are pulled. */
export type PullPolicy = 'missing' | 'always' | 'never';

/** ComposeTest@1's inputs, validated. */
export interface ComposeTestInputs {
  composeFiles: string[];
  /** Absolute: compose runs here, relative paths (compose files, envFile, results) start here. */
  workingDirectory: string;
  projectName: string;
  /** `NAME=value` pairs from the `environment` input, in order (they override envFile). */
  environment: Array<[string, string]>;
  /** Absolute path of the env file, when given. */
  envFile?: string;
  build: boolean;
  pull: PullPolicy;
  /** The services to start (with their dependencies); empty means all. */
  services: string[];
  /** Compose profiles to enable (`--profile`); a service with profiles runs only when one is enabled or it is named. */
  profiles: string[];
  waitTimeoutSeconds: number;
  test: TestSpec;
  testResults?: { files: string; format: TestResultsFormat };
  /** The logs artifact's name; undefined means no logs artifact. */
  logsArtifact?: string;
  logsOnSuccess: boolean;
  teardown: TeardownPolicy;
  removeImages: boolean;
  /** Where the logs folder is created (Agent.TempDirectory, else Build.ArtifactStagingDirectory). */
  logsRoot?: string;
}

const RESULT_FORMATS: readonly TestResultsFormat[] = ['JUnit', 'NUnit', 'VSTest', 'XUnit'];
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

/** Reads and validates ComposeTest@1's inputs: the only place this task reads inputs. */
export function readComposeTestInputs(inputs: InputReader): ComposeTestInputs {
  const composeFiles = inputs.list('composeFiles', { commas: false });
  if (composeFiles.length === 0) throw new InputError('composeFiles', 'is required: the compose files to bring up, one per line.');
  const base = inputs.variable('System.DefaultWorkingDirectory') ?? process.cwd();
  const workingDirectory = resolve(base, inputs.string('workingDirectory') ?? '.');

  const given = inputs.string('projectName');
  if (given !== undefined) validateProjectName(given);
  const projectName =
    given ??
    planProjectName({
      repository: inputs.variable('Build.Repository.Name'),
      buildId: inputs.variable('Build.BuildId'),
      jobId: inputs.variable('System.JobId'),
      fallbackSuffix: randomBytes(4).toString('hex'),
    });

  return {
    composeFiles,
    workingDirectory,
    projectName,
    environment: inputs.keyValues('environment'),
    envFile: inputs.optionalPath('envFile', workingDirectory),
    build: inputs.boolean('build', true),
    pull: inputs.pick('pull', ['missing', 'always', 'never'] as const, 'missing'),
    services: inputs.list('services'),
    profiles: inputs.list('profiles'),
    waitTimeoutSeconds: inputs.integer('waitTimeout', 180, { min: 1, max: 86400 }),
    test: readTestSpec(inputs),
    testResults: readTestResults(inputs),
    logsArtifact: readArtifactName(inputs),
    logsOnSuccess: inputs.boolean('logsOnSuccess', false),
    teardown: inputs.pick('teardown', ['always', 'onSuccess', 'never'] as const, 'always'),
    removeImages: inputs.boolean('removeImages', false),
    logsRoot: inputs.variable('Agent.TempDirectory') ?? inputs.variable('Build.ArtifactStagingDirectory'),
  };
}

function readTestSpec(inputs: InputReader): TestSpec {
  const command = inputs.string('testCommand');
  const service = inputs.string('testService');
  if (command !== undefined && service !== undefined) {
    throw new InputError('testService', "cannot be used together with 'testCommand': give one of them.");
  }
  if (command !== undefined) return { kind: 'command', command };
  if (service !== undefined) return { kind: 'service', service };
  throw new InputError('testCommand', "is required unless 'testService' is given: the command that runs the tests on the agent.");
}

function readTestResults(inputs: InputReader): ComposeTestInputs['testResults'] {
  const format = inputs.pick('testResultsFormat', RESULT_FORMATS, 'JUnit');
  const files = inputs.string('testResultsFiles');
  return files === undefined ? undefined : { files, format };
}

function readArtifactName(inputs: InputReader): string | undefined {
  const name = inputs.string('logsArtifact');
  if (name !== undefined && !ARTIFACT_NAME.test(name)) {
    throw new InputError('logsArtifact', `must be an artifact name (letters, digits, '.', '_', '-' and spaces), not '${name}'.`);
  }
  return name;
}

