import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import { readDockerBuildTagInputs, readRepository } from '../../../src/docker-build-tag/inputs';
import { InputReader } from '../../../src/pipeline/inputs';
import type { ServiceEndpoint, TaskEnvironment } from '../../../src/pipeline/interfaces';

function reader(inputs: Record<string, string>, variables: Record<string, string> = {}, endpoints: ServiceEndpoint[] = []): InputReader {
  const env: TaskEnvironment = {
    input: (n) => (inputs[n]?.trim() ? inputs[n] : undefined),
    variable: (n) => variables[n],
    endpoint: (id) => endpoints.find((e) => e.id === id),
  };
  return new InputReader(env);
}
const VARS = {
  'System.DefaultWorkingDirectory': '/w/s',
  'Agent.TempDirectory': '/w/_temp',
  'Build.SourceBranch': 'refs/heads/main',
  'System.PullRequest.PullRequestId': '9',
};

describe('readDockerBuildTagInputs', () => {
  it('reads every input with its default, paths from the repository root', () => {
    const { inputs, facts, folders } = readDockerBuildTagInputs(
      reader({ repository: 'Contoso.azurecr.io/Shop/API', tags: '1, 2\n3' }, VARS),
    );
    assert.deepEqual(inputs, {
      dockerfile: '/w/s/Dockerfile',
      buildContext: undefined,
      repository: 'contoso.azurecr.io/shop/api',
      containerRegistry: undefined,
      tags: ['1', '2', '3'],
      autoTags: true,
      latestBranch: 'main',
      buildArgs: [],
      target: undefined,
      platform: undefined,
      cacheFrom: [],
      cacheTo: [],
      secrets: [],
      secretFiles: [],
      labels: [],
      noCache: false,
      pull: false,
      addPipelineLabels: true,
    });
    assert.equal(facts.sourceBranch, 'refs/heads/main');
    assert.equal(facts.pullRequestNumber, '9', 'Azure Repos gives PullRequestId');
    assert.deepEqual(folders, { tempDirectory: '/w/_temp', workingDirectory: '/w/s' });
  });

  it('reads cache exports and build secrets; a repeated secret id is named, never the value', () => {
    const { inputs } = readDockerBuildTagInputs(
      reader({ repository: 'a', cacheTo: 'inline', secrets: 'npm_token=s3cret\ngh.token = t0k', secretFiles: 'npmrc=ci/.npmrc' }, VARS),
    );
    assert.deepEqual(inputs.cacheTo, ['inline']);
    assert.deepEqual(inputs.secrets, [
      ['npm_token', 's3cret'],
      ['gh.token', 't0k'],
    ]);
    assert.deepEqual(inputs.secretFiles, [['npmrc', '/w/s/ci/.npmrc']]);
    assert.throws(
      () => readDockerBuildTagInputs(reader({ repository: 'a', secrets: 'x=s3cret\nx=other' }, VARS)),
      (e: unknown) =>
        e instanceof InputError && e.message === "Input 'secrets' gives secret id 'x' more than once." && !e.message.includes('s3cret'),
    );
  });

  it('treats the repository root the agent passes for an empty buildContext as "the Dockerfile\'s folder"', () => {
    assert.equal(readDockerBuildTagInputs(reader({ repository: 'a', buildContext: '/w/s' }, VARS)).inputs.buildContext, undefined);
    assert.equal(readDockerBuildTagInputs(reader({ repository: 'a', buildContext: '/w/s/.' }, VARS)).inputs.buildContext, '/w/s');
    assert.equal(
      readDockerBuildTagInputs(reader({ repository: 'a', buildContext: 'src', dockerfile: '/abs/Dockerfile' }, VARS)).inputs.buildContext,
      '/w/s/src',
    );
  });

  it('reads build args, labels, booleans and the service connection', () => {
    const endpoint: ServiceEndpoint = {
      id: 'reg',
      url: 'https://127.0.0.1:5001',
      scheme: 'UsernamePassword',
      auth: { username: 'u', password: 'p' },
      data: {},
    };
    const { inputs } = readDockerBuildTagInputs(
      reader(
        {
          repository: 'shop/api',
          buildArgs: 'A=1\n# note\nB = two words',
          labels: 'team=checkout',
          noCache: 'true',
          pull: 'TRUE',
          containerRegistry: 'reg',
          latestBranch: 'refs/heads/trunk',
          cacheFrom: 'a:b\ntype=local,src=/c',
        },
        VARS,
        [endpoint],
      ),
    );
    assert.deepEqual(inputs.buildArgs, [
      ['A', '1'],
      ['B', 'two words'],
    ]);
    assert.deepEqual(inputs.labels, [['team', 'checkout']]);
    assert.deepEqual(inputs.cacheFrom, ['a:b', 'type=local,src=/c']);
    assert.equal(inputs.latestBranch, 'trunk');
    assert.ok(inputs.noCache && inputs.pull);
    assert.deepEqual(inputs.containerRegistry, { registry: '127.0.0.1:5001', username: 'u', password: 'p' });
  });

  const BAD: Array<[string, Record<string, string>, string]> = [
    ['a missing repository', {}, "Input 'repository' is required: the image repository to build, e.g. contoso.azurecr.io/shop/api."],
    [
      'an invalid repository',
      { repository: 'shop api' },
      "Input 'repository' 'shop api' is not a valid image repository: the repository part 'shop api' may hold only a-z, 0-9 and single separators (. _ __ -) between them.",
    ],
    [
      'a repository with a tag',
      { repository: 'shop/api:1' },
      "Input 'repository' 'shop/api:1' must name a repository without a tag or digest; put tags in the 'tags' input.",
    ],
    ['an invalid build-arg line', { repository: 'a', buildArgs: 'A=1\nnot an assignment' }, "Input 'buildArgs' line 2 must be NAME=value."],
    [
      'an invalid label line',
      { repository: 'a', labels: '=x' },
      "Input 'labels' line 1 must be NAME=value, and it has no name before the =.",
    ],
    ['a non-boolean', { repository: 'a', autoTags: 'yes' }, "Input 'autoTags' must be true or false, not 'yes'."],
    [
      'an unknown service connection',
      { repository: 'a', containerRegistry: 'nope' },
      "Input 'containerRegistry' names service connection 'nope', which this job cannot see; check the connection's name and that the pipeline is authorized to use it.",
    ],
  ];
  for (const [name, given, message] of BAD) {
    it(`refuses ${name} with one sentence naming the input`, () => {
      assert.throws(
        () => readDockerBuildTagInputs(reader(given, VARS)),
        (err: unknown) => err instanceof InputError && err.message === message,
      );
    });
  }

  it('lower-cases repositories and strips nothing else', () => {
    assert.equal(readRepository('LocalHost:5000/A/B'), 'localhost:5000/a/b');
    assert.equal(readRepository('ubuntu'), 'ubuntu');
  });
});
