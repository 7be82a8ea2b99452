import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import { readComposeDeployInputs } from '../../../src/compose-deploy/inputs';
import { InputReader } from '../../../src/pipeline/inputs';
import type { ServiceEndpoint, TaskEnvironment } from '../../../src/pipeline/interfaces';

const SOURCES = '/agent/_work/1/s';
const VARIABLES: Record<string, string> = {
  'System.DefaultWorkingDirectory': SOURCES,
  'Agent.TempDirectory': '/agent/_work/_temp',
  'System.CollectionUri': 'https://dev.azure.com/contoso/',
  'System.TeamProject': 'shop',
  'Build.BuildId': '4242',
  'Build.BuildNumber': '20261129.7',
};
const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const ENDPOINTS: ServiceEndpoint[] = [
  { id: 'qa-host', url: 'tcp://qa.contoso.test:2376', scheme: 'Certificate', auth: { cacert: 'CA', cert: 'CERT', key: KEY }, data: {} },
  {
    id: 'qa-ssh',
    url: 'ssh://qa',
    scheme: 'UsernamePassword',
    auth: { username: 'deploy' },
    data: { host: 'qa.contoso.test', port: '2222', privatekey: KEY },
  },
  { id: 'acr', url: 'https://contoso.azurecr.io', scheme: 'UsernamePassword', auth: { username: 'ci', password: 'pw' }, data: {} },
];

function read(inputs: Record<string, string>) {
  const endpoints = new Map(ENDPOINTS.map((e) => [e.id, e]));
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => VARIABLES[name],
    endpoint: (id) => endpoints.get(id),
  };
  return readComposeDeployInputs(new InputReader(env));
}

describe('readComposeDeployInputs', () => {
  it('reads a deploy to the agent’s engine with its defaults', () => {
    const inputs = read({ composeFiles: 'docker-compose.yml' });
    assert.equal(inputs.action, 'deploy');
    assert.deepEqual(inputs.target, { kind: 'local' });
    assert.deepEqual(inputs.compose, { files: ['docker-compose.yml'], workingDir: SOURCES, environment: {}, profiles: [] });
    assert.equal(inputs.requirePinned, true);
    assert.equal(inputs.rollbackOnFailure, true);
    assert.equal(inputs.waitTimeoutSeconds, 300);
    assert.equal(inputs.tempDir, '/agent/_work/_temp');
    assert.equal(inputs.pipeline.buildNumber, '20261129.7');
  });

  it('reads the TLS, SSH and registry connections, the digest file and the knobs', () => {
    const tls = read({
      composeFiles: 'a.yml',
      dockerHostConnection: 'qa-host',
      containerRegistry: 'acr',
      digestFile: 'digests/image-digests.json',
      waitTimeout: '90',
      rollbackOnFailure: 'false',
      action: 'down',
    });
    assert.equal(tls.target.kind, 'tls');
    assert.equal(tls.action, 'down');
    assert.deepEqual(tls.registry, { registry: 'contoso.azurecr.io', username: 'ci', password: 'pw' });
    assert.deepEqual(tls.digests, { kind: 'file', path: `${SOURCES}/digests/image-digests.json` });
    assert.equal(tls.waitTimeoutSeconds, 90);
    assert.equal(tls.rollbackOnFailure, false);
    const ssh = read({ composeFiles: 'a.yml', sshConnection: 'qa-ssh' });
    assert.deepEqual(ssh.target.kind === 'ssh' && [ssh.target.user, ssh.target.host, ssh.target.port], ['deploy', 'qa.contoso.test', 2222]);
  });

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    ['no compose files', {}, /^Input 'composeFiles' is required/],
    [
      'both connections',
      { composeFiles: 'a.yml', dockerHostConnection: 'qa-host', sshConnection: 'qa-ssh' },
      /^Input 'sshConnection' cannot be used together with 'dockerHostConnection'/,
    ],
    [
      'a connection the job cannot see',
      { composeFiles: 'a.yml', dockerHostConnection: 'prod' },
      /^Input 'dockerHostConnection' names service connection 'prod', which this job cannot see/,
    ],
    [
      'an SSH connection as the Docker host one',
      { composeFiles: 'a.yml', dockerHostConnection: 'qa-ssh' },
      /^Input 'dockerHostConnection' names service connection 'qa-ssh', whose server URL must be tcp:\/\/host:port/,
    ],
    ['a waitTimeout of 0', { composeFiles: 'a.yml', waitTimeout: '0' }, /^Input 'waitTimeout' must be at least 1, not 0\.$/],
    ['an invalid project name', { composeFiles: 'a.yml', projectName: 'Shop App' }, /^Input 'projectName' must be lower-case letters/],
  ];
  for (const [name, inputs, message] of refused) {
    it(`refuses ${name}, naming the input`, () =>
      assert.throws(
        () => read(inputs),
        (e: Error) => e instanceof InputError && message.test(e.message),
      ));
  }
});
