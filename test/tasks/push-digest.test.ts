import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';

/** Bad input fails before docker runs: one sentence naming the input or file, no stack, no digest file. */
describe('PushDigest@1 input checks (from the unpacked .vsix, before any docker command)', () => {
  const cases: Array<[name: string, inputs: Record<string, string>, message: RegExp]> = [
    [
      'an invalid reference',
      { images: '127.0.0.1:5000/ok:1\n127.0.0.1:5000/Bad:1' },
      /^Input 'images' entry 2: '127\.0\.0\.1:5000\/Bad:1' is not a valid image reference: the repository part 'Bad' must be lower-case\.$/,
    ],
    [
      'a reference with a digest',
      { images: `127.0.0.1:5000/a@sha256:${'0'.repeat(64)}` },
      /^Input 'images' entry 1: .* holds a digest; list the repo:tag references to push/,
    ],
    [
      'retries that are not a number',
      { images: '127.0.0.1:5000/a:1', retries: 'many' },
      /^Input 'retries' must be a whole number, not 'many'\.$/,
    ],
    [
      'a connection the job cannot see',
      { images: '127.0.0.1:5000/a:1', containerRegistry: 'NOPE' },
      /^Input 'containerRegistry' names service connection 'NOPE', which this job cannot see/,
    ],
    [
      'a locked file over a compose file',
      { images: '127.0.0.1:5000/a:1', composeFiles: 'docker-compose.yml', lockedComposeFile: 'docker-compose.yml' },
      /^Input 'lockedComposeFile' names '.*docker-compose\.yml', which is also listed in composeFiles/,
    ],
    [
      'a compose file that does not exist',
      { images: '127.0.0.1:5000/a:1', composeFiles: 'missing.yml' },
      /^\/.*\/missing\.yml: the compose file does not exist\.$/,
    ],
    [
      'an environment line that is not NAME=value',
      { images: '127.0.0.1:5000/a:1', composeFiles: 'docker-compose.yml', environment: 'TAG=1\nREGISTRY' },
      /^Input 'environment' line 2 must be NAME=value\.$/,
    ],
    [
      'a project name Compose would change',
      { images: '127.0.0.1:5000/a:1', composeFiles: 'docker-compose.yml', projectName: 'Shop' },
      /^Input 'projectName' must be lower-case letters/,
    ],
  ];
  for (const [name, inputs, message] of cases) {
    it(`refuses ${name}`, async () => {
      const run = await runVsixTask('push-digest', { inputs });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.match(run.message ?? '', message, describeRun(run));
      assert.ok(!run.output.includes('##[command]'), `no docker command ran\n${describeRun(run)}`);
      assert.ok(!/\n\s+at /.test(run.output) && !/Internal error/.test(run.output), describeRun(run));
    });
  }

  it('refuses a compose file that is not valid YAML, naming the file and line, and deletes an earlier digest file', async () => {
    const variables = await agentVariables();
    const sources = variables['Build.SourcesDirectory'];
    await writeFile(join(sources, 'docker-compose.yml'), 'services:\n  api:\n    image: [unclosed\n  web: {}\n');
    const digestFile = join(variables['Build.ArtifactStagingDirectory'], 'image-digests.json');
    await writeFile(digestFile, '{"version":1,"images":[],"pipeline":{}}\n');
    const run = await runVsixTask('push-digest', {
      variables,
      inputs: { images: '127.0.0.1:5000/a:1', composeFiles: 'docker-compose.yml' },
    });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(
      run.message ?? '',
      new RegExp(`^${join(sources, 'docker-compose.yml').replace(/\./g, '\\.')}:\\d+:\\d+: is not valid YAML: `),
      describeRun(run),
    );
    assert.ok(!run.output.includes('##[command]'), describeRun(run));
    assert.ok(!existsSync(digestFile), 'an earlier digest file does not survive a failed run');
  });
});
