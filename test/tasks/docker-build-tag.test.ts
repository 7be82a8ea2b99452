import { strict as assert } from 'node:assert';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';

/**
 * DockerBuildTag@1's bad input, run from the unpacked .vsix as the agent runs it. Each fails before
 * docker is started (so these need no engine) with one sentence that names the input and the value.
 */
describe('DockerBuildTag@1: bad input (from the .vsix, no engine needed)', () => {
  let variables: Record<string, string>;
  before(async () => {
    variables = await agentVariables();
    await mkdir(join(variables['Build.SourcesDirectory'], 'api'));
    await writeFile(join(variables['Build.SourcesDirectory'], 'api', 'Dockerfile'), 'FROM scratch\n');
  });

  const CASES: Array<[name: string, inputs: Record<string, string>, message: (sources: string) => string]> = [
    [
      'a missing Dockerfile names the path tried',
      { repository: 'shop/api', dockerfile: 'web/Dockerfile' },
      (s) => `Input 'dockerfile' names ${s}/web/Dockerfile, which does not exist.`,
    ],
    [
      'a missing build context names the path tried',
      { repository: 'shop/api', dockerfile: 'api/Dockerfile', buildContext: 'nowhere' },
      (s) => `Input 'buildContext' names ${s}/nowhere, which is not a folder.`,
    ],
    [
      'an invalid repository',
      { repository: 'shop/API!', dockerfile: 'api/Dockerfile' },
      () =>
        "Input 'repository' 'shop/API!' is not a valid image repository: the repository part 'api!' may hold only a-z, 0-9 and single separators (. _ __ -) between them.",
    ],
    [
      'a repository with a tag',
      { repository: 'shop/api:v1', dockerfile: 'api/Dockerfile' },
      () => "Input 'repository' 'shop/api:v1' must name a repository without a tag or digest; put tags in the 'tags' input.",
    ],
    [
      'an invalid build-arg line',
      { repository: 'shop/api', dockerfile: 'api/Dockerfile', buildArgs: 'VERSION=1\n--build-arg X' },
      () => "Input 'buildArgs' line 2 must be NAME=value.",
    ],
    [
      'tags that leave nothing to tag',
      { repository: 'shop/api', dockerfile: 'api/Dockerfile', tags: '###', autoTags: 'false' },
      () => "Input 'tags' leaves no valid tag and autoTags is off: give at least one tag of letters, digits, '_', '.' or '-'.",
    ],
  ];

  for (const [name, inputs, message] of CASES) {
    it(`${name}: result Failed, one sentence, no stack trace, docker never started`, async () => {
      const run = await runVsixTask('docker-build-tag', { inputs, variables });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.equal(run.message, message(variables['Build.SourcesDirectory']));
      assert.ok(!/\n\s+at /.test(run.output), `no stack trace\n${describeRun(run)}`);
      assert.ok(!run.output.includes('##[command]docker'), `docker was not started\n${describeRun(run)}`);
      assert.deepEqual(run.outputs, {});
    });
  }
});
