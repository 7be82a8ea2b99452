import { randomBytes } from 'node:crypto';
import { InputError } from '../common/errors';
import type { ComposeSource } from '../compose/source';
import { readComposeSource } from '../pipeline/compose-inputs';
import type { InputReader } from '../pipeline/inputs';
import type { PipelineVariables, TestResultsFormat } from '../pipeline/interfaces';
import { planProjectName } from './plan';

/** How the tests run: a command line on the agent, or a compose service with `run --rm`. */
export type TestSpec = { kind: 'command'; command: string } | { kind: 'service'; service: string };

/** When the app is torn down. */
export type TeardownPolicy = 'always' | 'onSuccess' | 'never';

/** When images are pulled. */
export type PullPolicy = 'missing' | 'always' | 'never';

/** ComposeTest@1's inputs, validated. */
export interface ComposeTestInputs {
  /**
   * The shared compose inputs: files as written (relative to the working directory), the
   * `environment` values (they override the env file's), the env file, the profiles to enable.
   */
  compose: ComposeSource;
  /** Absolute: compose runs here, relative paths (compose files, envFile, results) start here. */
  workingDirectory: string;
  /** The given project name, else one unique to this run. */
  projectName: string;
  build: boolean;
  pull: PullPolicy;
  /** The services to start (with their dependencies); empty means all. */
  services: string[];
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
  /** For the run summary's links, and the default project name. */
  pipeline: PipelineVariables;
}

const RESULT_FORMATS: readonly TestResultsFormat[] = ['JUnit', 'NUnit', 'VSTest', 'XUnit'];

/** Reads and validates ComposeTest@1's inputs: the only place this task reads inputs. */
export function readComposeTestInputs(inputs: InputReader): ComposeTestInputs {
  const workingDirectory = inputs.path('workingDirectory', inputs.workingDirectory(), '.');
  const compose = readComposeSource(inputs, { workingDir: workingDirectory, required: 'the compose files to bring up, one per line.' });
  const pipeline = inputs.pipelineVariables();
  const projectName =
    compose.projectName ??
    planProjectName({
      repository: pipeline.repositoryName,
      buildId: pipeline.buildId,
      jobId: pipeline.jobId,
      fallbackSuffix: randomBytes(4).toString('hex'),
    });

  return {
    compose,
    workingDirectory,
    projectName,
    build: inputs.boolean('build', true),
    pull: inputs.pick('pull', ['missing', 'always', 'never'] as const, 'missing'),
    services: inputs.list('services'),
    waitTimeoutSeconds: inputs.integer('waitTimeout', 180, { min: 1, max: 86400 }),
    test: readTestSpec(inputs),
    testResults: readTestResults(inputs),
    logsArtifact: inputs.artifactName('logsArtifact'),
    logsOnSuccess: inputs.boolean('logsOnSuccess', false),
    teardown: inputs.pick('teardown', ['always', 'onSuccess', 'never'] as const, 'always'),
    removeImages: inputs.boolean('removeImages', false),
    logsRoot: inputs.variable('Agent.TempDirectory') ?? inputs.variable('Build.ArtifactStagingDirectory'),
    pipeline,
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
