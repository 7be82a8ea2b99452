import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/common/errors';
import { readComposeSource, validateProjectName } from '../../../src/pipeline/compose-inputs';
import { InputReader } from '../../../src/pipeline/inputs';
import type { TaskEnvironment } from '../../../src/pipeline/interfaces';
import { ROOT } from '../../support/paths';

function reader(
  inputs: Record<string, string>,
  variables: Record<string, string> = { 'System.DefaultWorkingDirectory': '/agent/s' },
): InputReader {
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => variables[name],
    endpoint: () => undefined,
  };
  return new InputReader(env);
}

/** The tasks that read compose files (those with a composeFiles input, ComposeTest first), and the compose inputs they all have. */
const COMPOSE_TASKS = readdirSync(join(ROOT, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'tasks', d.name, 'task.json')))
  .map((d) => d.name)
  .filter((task) => readFileSync(join(ROOT, 'tasks', task, 'task.json'), 'utf8').includes('"name": "composeFiles"'))
  .sort((a, b) => (a === 'compose-test' ? -1 : b === 'compose-test' ? 1 : a.localeCompare(b)));
const COMPOSE_INPUTS = ['composeFiles', 'environment', 'envFile', 'profiles', 'projectName'];

interface InputDefinition {
  name: string;
  type: string;
  label: string;
  required?: boolean;
  defaultValue?: string;
  helpMarkDown: string;
}

function composeInputs(task: string): Map<string, InputDefinition> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'tasks', task, 'task.json'), 'utf8')) as { inputs: InputDefinition[] };
  return new Map(manifest.inputs.filter((i) => COMPOSE_INPUTS.includes(i.name)).map((i) => [i.name, i]));
}

describe('the shared compose inputs', () => {
  it('every compose-reading task has them all, with the same type, label and default, and help that starts the same', () => {
    assert.ok(
      ['compose-test', 'push-digest', 'compose-to-k8s'].every((t) => COMPOSE_TASKS.includes(t)),
      COMPOSE_TASKS.join(', '),
    );
    const [first, ...others] = COMPOSE_TASKS.map(composeInputs);
    assert.deepEqual([...first.keys()].sort(), [...COMPOSE_INPUTS].sort());
    for (const [i, inputs] of others.entries()) {
      const task = COMPOSE_TASKS[i + 1];
      assert.deepEqual([...inputs.keys()].sort(), [...COMPOSE_INPUTS].sort(), task);
      for (const name of COMPOSE_INPUTS) {
        const a = first.get(name)!;
        const b = inputs.get(name)!;
        // PushDigest's compose files are optional: without them it writes no locked compose file.
        const optional = task === 'push-digest' && name === 'composeFiles';
        assert.deepEqual(
          [b.type, b.label, optional || b.required, optional ? a.defaultValue : b.defaultValue],
          [a.type, a.label, optional || a.required, a.defaultValue],
          `${task} ${name}`,
        );
        const shared = a.helpMarkDown.split('. ')[0];
        assert.ok(b.helpMarkDown.startsWith(shared), `${task} ${name}: '${b.helpMarkDown}' starts with '${shared}'`);
      }
    }
  });

  it('are read into one ComposeSource: files as written, relative to the working directory; environment; env file; profiles; project name', () => {
    const source = readComposeSource(
      reader({
        composeFiles: 'docker-compose.yml\n/abs/ci.yml',
        environment: 'TAG=42\n# c\nA = 1',
        envFile: 'ci.env',
        profiles: 'web, jobs',
        projectName: 'shop',
      }),
      { workingDir: '/agent/s/app' },
    );
    assert.deepEqual(source, {
      files: ['docker-compose.yml', '/abs/ci.yml'],
      workingDir: '/agent/s/app',
      environment: { TAG: '42', A: '1' },
      envFiles: ['/agent/s/app/ci.env'],
      profiles: ['web', 'jobs'],
      projectName: 'shop',
    });
    assert.deepEqual(
      readComposeSource(reader({}), { workingDir: '/agent/s' }),
      { files: [], workingDir: '/agent/s', environment: {}, profiles: [] },
      'none are needed unless the task says so',
    );
  });

  const errors: Array<[string, Record<string, string>, string]> = [
    ['no compose files when the task needs them', {}, "Input 'composeFiles' is required: the compose files to read."],
    [
      'an unexpanded variable in a file',
      { composeFiles: '$(appDir)/docker-compose.yml' },
      "Input 'composeFiles' holds '$(appDir)', a variable this job does not define.",
    ],
    ['a bad environment line', { composeFiles: 'a.yml', environment: 'TAG' }, "Input 'environment' line 1 must be NAME=value."],
    [
      'a project name Compose would change',
      { composeFiles: 'a.yml', projectName: 'My.App' },
      "Input 'projectName' must be lower-case letters, digits, '-' and '_', starting with a letter or digit, not 'My.App'.",
    ],
  ];
  for (const [name, given, message] of errors) {
    it(`refuses ${name}, naming the input`, () => {
      assert.throws(
        () => readComposeSource(reader(given), { workingDir: '/agent/s', required: 'the compose files to read.' }),
        (e: unknown) => e instanceof InputError && e.message === message,
      );
    });
  }

  it('validateProjectName accepts what compose keeps as is and names the input otherwise', () => {
    for (const ok of ['shop', 'shop-42', 'a_b', '0x']) validateProjectName(ok);
    for (const bad of ['Shop', '-shop', 'shop.web', 'sh op', '']) {
      assert.throws(
        () => validateProjectName(bad),
        (e: unknown) => e instanceof InputError && /^Input 'projectName' must be lower-case/.test(e.message),
      );
    }
  });
});
