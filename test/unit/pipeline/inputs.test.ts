import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import {
  InputReader,
  parseBooleanInput,
  parseIntegerInput,
  parseKeyValueInput,
  parsePickInput,
  splitListInput,
} from '../../../src/pipeline/inputs';
import type { ServiceEndpoint, TaskEnvironment } from '../../../src/pipeline/interfaces';

function env(
  inputs: Record<string, string>,
  endpoints: Record<string, ServiceEndpoint> = {},
  variables: Record<string, string> = {},
): TaskEnvironment {
  return {
    input: (n) => (inputs[n]?.trim() ? inputs[n] : undefined),
    variable: (n) => variables[n],
    endpoint: (id) => endpoints[id],
  };
}

function throwsInput(fn: () => unknown, input: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.input, input);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('input parsing', () => {
  it('reads booleans in any case and rejects anything else', () => {
    assert.equal(parseBooleanInput('noCache', 'TRUE', false), true);
    assert.equal(parseBooleanInput('noCache', ' false ', true), false);
    assert.equal(parseBooleanInput('noCache', undefined, true), true);
    throwsInput(() => parseBooleanInput('noCache', 'yes', false), 'noCache', /^Input 'noCache' must be true or false, not 'yes'\.$/);
  });

  it('reads integers within range', () => {
    assert.equal(parseIntegerInput('retries', '5', 3, { min: 0 }), 5);
    assert.equal(parseIntegerInput('retries', '', 3), 3);
    throwsInput(() => parseIntegerInput('retries', '2.5', 3), 'retries', /must be a whole number, not '2\.5'/);
    throwsInput(() => parseIntegerInput('retries', '-1', 3, { min: 0 }), 'retries', /must be at least 0, not -1/);
    throwsInput(() => parseIntegerInput('waitTimeout', '99999', 3, { max: 3600 }), 'waitTimeout', /at most 3600/);
  });

  it('reads pick lists case-insensitively and names the allowed values', () => {
    assert.equal(parsePickInput('teardown', 'OnSuccess', ['always', 'onSuccess', 'never'] as const, 'always'), 'onSuccess');
    throwsInput(
      () => parsePickInput('teardown', 'sometimes', ['always', 'never'] as const, 'always'),
      'teardown',
      /must be one of always, never, not 'sometimes'/,
    );
  });

  it('splits lists on newlines and commas', () => {
    assert.deepEqual(splitListInput('a, b\n\nc\r\n d ,'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitListInput('a b,c\nd', false), ['a b,c', 'd']);
    assert.deepEqual(splitListInput(undefined), []);
  });

  it('reads NAME=value lines, keeping = inside values, and names a bad line', () => {
    assert.deepEqual(parseKeyValueInput('buildArgs', 'A=1\n# comment\n\n B = x=y \nEMPTY='), [
      ['A', '1'],
      ['B', 'x=y'],
      ['EMPTY', ''],
    ]);
    throwsInput(() => parseKeyValueInput('buildArgs', 'A=1\nnot a pair'), 'buildArgs', /^Input 'buildArgs' line 2 must be NAME=value\.$/);
    throwsInput(
      () => parseKeyValueInput('buildArgs', '1A=s3cret'),
      'buildArgs',
      /^Input 'buildArgs' line 1 must be NAME=value, and '1A' is not a variable name\.$/,
    );
  });
});

describe('InputReader', () => {
  it('fails on a missing required input with a hint', () => {
    throwsInput(
      () => new InputReader(env({})).string('repository', { required: true, hint: 'e.g. shop/api' }),
      'repository',
      /^Input 'repository' is required: e\.g\. shop\/api\.$/,
    );
  });

  it('resolves a service connection, and names one the job cannot see', () => {
    const ep: ServiceEndpoint = { id: 'reg', url: 'https://r.example', scheme: 'UsernamePassword', auth: {}, data: {} };
    const reader = new InputReader(env({ containerRegistry: 'reg', other: 'missing' }, { reg: ep }));
    assert.equal(reader.endpoint('containerRegistry'), ep);
    assert.equal(reader.endpoint('absent'), undefined);
    throwsInput(() => reader.endpoint('other'), 'other', /service connection 'missing'/);
  });

  it('reads an optional path: relative to the base, and empty when the agent passed the job folder itself', () => {
    const vars = { 'System.DefaultWorkingDirectory': '/w/s', 'Build.SourcesDirectory': '/w/src' };
    const reader = new InputReader(env({ a: 'sub/f.env', b: '/w/s/', c: '/w/src', d: '.', e: '/abs/x', f: '/w/s/.' }, {}, vars));
    assert.equal(reader.optionalPath('a', '/w/s/app'), '/w/s/app/sub/f.env');
    assert.equal(reader.optionalPath('b', '/w/s'), undefined);
    assert.equal(reader.optionalPath('c', '/w/s'), undefined);
    assert.equal(reader.optionalPath('d', '/w/s'), '/w/s', "'.' means the folder itself");
    assert.equal(reader.optionalPath('e', '/w/s'), '/abs/x');
    assert.equal(reader.optionalPath('f', '/w/s'), '/w/s');
    assert.equal(reader.optionalPath('absent', '/w/s'), undefined);
  });

  it('the shared rules: the working directory, a path with its default, an artifact name, no unexpanded $(variable)', () => {
    const vars = { 'System.DefaultWorkingDirectory': '/w/s', 'Build.SourcesDirectory': '/w/src' };
    assert.equal(new InputReader(env({}, {}, vars)).workingDirectory(), '/w/s');
    assert.equal(new InputReader(env({}, {}, { 'Build.SourcesDirectory': '/w/src' })).workingDirectory(), '/w/src');
    assert.equal(new InputReader(env({}, {}, {})).workingDirectory(), process.cwd(), 'a local run');
    const reader = new InputReader(env({ dockerfile: 'app/Dockerfile', logs: 'compose logs', bad: 'a/b', macro: '$(Nope)/x' }, {}, vars));
    assert.equal(reader.path('dockerfile', '/w/s', 'Dockerfile'), '/w/s/app/Dockerfile');
    assert.equal(reader.path('absent', '/w/s', 'Dockerfile'), '/w/s/Dockerfile');
    assert.equal(reader.artifactName('logs'), 'compose logs');
    throwsInput(
      () => reader.artifactName('bad'),
      'bad',
      /^Input 'bad' must be an artifact name, without any of " \/ \\ : < > \| \* \?, not 'a\/b'\.$/,
    );
    throwsInput(
      () => reader.optionalPath('macro', '/w/s'),
      'macro',
      /^Input 'macro' holds '\$\(Nope\)', a variable this job does not define\.$/,
    );
  });

  it('reads the pipeline variables once, under one set of names, leaving out those the job lacks', () => {
    const reader = new InputReader(
      env(
        {},
        {},
        {
          'Build.BuildNumber': '20261122.3',
          'System.PullRequest.PullRequestId': '7',
          'Build.Repository.Name': 'shop',
          'System.JobId': 'j1',
        },
      ),
    );
    assert.deepEqual(reader.pipelineVariables(), {
      buildNumber: '20261122.3',
      pullRequestNumber: '7',
      repositoryName: 'shop',
      jobId: 'j1',
    });
  });
});
