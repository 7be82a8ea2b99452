import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointSpec } from '../../src/local-run/agent/task-process';
import { agentVariables, describeRun, isTaskLeftover, runVsixTask } from '../support/task-harness';

/**
 * ComposeDeploy@1 run from the unpacked .vsix as the agent runs it: bad input and what fails before
 * any engine is contacted (no docker on PATH is needed: none is reached). Everything that reaches
 * an engine runs on the test bed (test/integration/compose-deploy.test.ts).
 */

const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
const TLS: EndpointSpec = {
  id: '00000000-0000-4000-8000-000000002376',
  url: 'tcp://127.0.0.1:2376',
  scheme: 'Certificate',
  parameters: { cacert: 'CA', cert: 'CERT', key: KEY },
};
const SSH: EndpointSpec = {
  id: '00000000-0000-4000-8000-000000000022',
  url: 'ssh://qa',
  scheme: 'UsernamePassword',
  parameters: { username: 'deploy' },
  data: { host: 'qa', port: '22', privateKey: KEY },
};

const COMPOSE = `services:
  web:
    build: ./web
    image: 127.0.0.1:5000/shop/web:1
  cache:
    image: 127.0.0.1:5000/shop/cache:1
`;

describe('ComposeDeploy@1 input checks (from the unpacked .vsix, before any engine is reached)', function () {
  this.timeout(30000);
  let sources: string;
  before(async () => {
    sources = await mkdtemp(join(tmpdir(), 'outerloop-deploy-task-'));
    await writeFile(join(sources, 'docker-compose.yml'), COMPOSE);
  });
  after(async () => {
    await rm(sources, { recursive: true, force: true });
  });

  async function run(inputs: Record<string, string>, endpoints: EndpointSpec[] = [TLS]) {
    const variables = await agentVariables({ 'System.DefaultWorkingDirectory': sources });
    // PATH without docker: nothing here may reach an engine.
    const result = await runVsixTask('compose-deploy', {
      inputs: { composeFiles: 'docker-compose.yml', ...inputs },
      variables,
      endpoints,
      baseEnv: { PATH: '/nonexistent' },
    });
    assert.deepEqual((await readdir(variables['Agent.TempDirectory'])).filter(isTaskLeftover), [], 'nothing left in the temp folder');
    return result;
  }

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'both connections',
      { dockerHostConnection: TLS.id, sshConnection: SSH.id },
      /^Input 'sshConnection' cannot be used together with 'dockerHostConnection'/,
    ],
    ['a waitTimeout that is not a number', { waitTimeout: 'soon' }, /^Input 'waitTimeout' must be a whole number, not 'soon'\.$/],
    ['an action it does not have', { action: 'restart' }, /^Input 'action' must be one of deploy, down, not 'restart'\.$/],
    [
      'a missing digest file',
      { digestFile: 'nope.json', dockerHostConnection: TLS.id },
      /nope\.json: the digest file does not exist or cannot be read\.$/,
    ],
    [
      'a built image without a digest source, with requirePinned',
      { dockerHostConnection: TLS.id },
      /^Input 'digestFile' is required: service 'web' builds image '127\.0\.0\.1:5000\/shop\/web:1', which must be pinned by digest/,
    ],
    ['a compose file that is not there', { composeFiles: 'missing.yml', requirePinned: 'false' }, /missing\.yml/],
  ];
  for (const [name, inputs, message] of cases) {
    it(`${name}: Failed with one sentence`, async () => {
      const result = await run(inputs, [TLS, SSH]);
      assert.equal(result.result, 'Failed', describeRun(result));
      assert.match(result.message ?? '', message);
      assert.ok(!(result.message ?? '').includes('\n'));
      assert.ok(!result.output.includes('Internal error'), describeRun(result));
    });
  }

  it("registers the connection's key lines as secrets before anything is logged, and never prints them", async () => {
    const result = await run({ dockerHostConnection: TLS.id });
    assert.ok(result.secrets.includes('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW'));
    const lines = result.output.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]'));
    assert.ok(!lines.some((l) => l.includes('b3BlbnNzaC1rZXktdjEAAAAA')), describeRun(result));
  });
});
