import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/common/errors';
import {
  describeTarget,
  readDockerHostConnection,
  readSshConnection,
  targetSecrets,
  withDockerHost,
} from '../../../src/compose-deploy/host';
import type { ServiceEndpoint } from '../../../src/pipeline/interfaces';

const KEY = '-----BEGIN PRIVATE KEY-----\nAAAAsecretline1\nBBBBsecretline2\n-----END PRIVATE KEY-----\n';

function endpoint(url: string, auth: Record<string, string>, data: Record<string, string> = {}): ServiceEndpoint {
  return { id: 'qa', url, scheme: 'Certificate', auth, data };
}

describe('ComposeDeploy host connections', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'outerloop-host-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a Docker host connection: tcp:// URL and the three PEMs; its key lines are the secrets', () => {
    const t = readDockerHostConnection(
      'dockerHostConnection',
      endpoint('tcp://qa.contoso.test:2376/', { cacert: 'CA', cert: 'CERT', key: KEY }),
    );
    assert.equal(describeTarget(t), 'tcp://qa.contoso.test:2376');
    assert.deepEqual(targetSecrets(t), ['AAAAsecretline1', 'BBBBsecretline2']);
  });

  it('refuses a Docker host connection without a certificate or with another scheme, naming the input', () => {
    assert.throws(
      () => readDockerHostConnection('dockerHostConnection', endpoint('tcp://h:2376', { cacert: 'CA', cert: 'CERT' })),
      (e: Error) => e instanceof InputError && /lacks key/.test(e.message),
    );
    assert.throws(
      () => readDockerHostConnection('dockerHostConnection', endpoint('unix:///var/run/docker.sock', { cacert: 'a', cert: 'b', key: 'c' })),
      /must be tcp:\/\/host:port/,
    );
  });

  it('reads an SSH connection (host, port, user, key) and refuses a password or a passphrase', () => {
    const t = readSshConnection(
      'sshConnection',
      endpoint('ssh://qa', { username: 'deploy' }, { host: 'qa.contoso.test', port: '2222', privatekey: KEY }),
    );
    assert.equal(describeTarget(t), 'ssh://deploy@qa.contoso.test:2222');
    assert.throws(
      () => readSshConnection('sshConnection', endpoint('', { username: 'deploy', password: 'pw' }, { host: 'qa' })),
      /signs in with a password/,
    );
    assert.throws(
      () => readSshConnection('sshConnection', endpoint('', { username: 'deploy', password: 'pw' }, { host: 'qa', privatekey: KEY })),
      /passphrase/,
    );
    assert.throws(
      () => readSshConnection('sshConnection', endpoint('', { username: 'x;rm' }, { host: 'qa', privatekey: KEY })),
      /no valid user name/,
    );
  });

  it('TLS: DOCKER_HOST, DOCKER_TLS_VERIFY and a private DOCKER_CERT_PATH, removed afterwards even on failure', async () => {
    const t = readDockerHostConnection('dockerHostConnection', endpoint('tcp://h:2376', { cacert: 'CA', cert: 'CERT', key: KEY }));
    let seen: NodeJS.ProcessEnv = {};
    await assert.rejects(
      withDockerHost(
        t,
        { tempRoot: root, baseEnv: { PATH: '/bin', REQUESTS_CA_BUNDLE: '/etc/ca.pem', DOCKER_CONTEXT: 'x' } },
        async (env) => {
          seen = env;
          assert.equal(await readFile(join(env['DOCKER_CERT_PATH']!, 'key.pem'), 'utf8'), KEY);
          assert.equal((await stat(join(env['DOCKER_CERT_PATH']!, 'key.pem'))).mode & 0o777, 0o600);
          throw new Error('boom');
        },
      ),
      /boom/,
    );
    assert.equal(seen['DOCKER_HOST'], 'tcp://h:2376');
    assert.equal(seen['DOCKER_TLS_VERIFY'], '1');
    assert.equal(seen['REQUESTS_CA_BUNDLE'], undefined, "the agent's CA bundle does not replace the host's CA for Compose v1");
    assert.equal(seen['DOCKER_CONTEXT'], undefined);
    assert.ok(!existsSync(seen['DOCKER_CERT_PATH']!));
    assert.deepEqual(await readdir(root), []);
  });

  it('SSH: ssh:// DOCKER_HOST and an ssh first on PATH that uses the key (0600) through its own config, removed afterwards', async () => {
    const t = readSshConnection('sshConnection', endpoint('', { username: 'deploy' }, { host: 'qa', port: '22', privatekey: KEY }));
    let dir = '';
    await withDockerHost(t, { tempRoot: root, baseEnv: { PATH: '/usr/bin' } }, async (env) => {
      assert.equal(env['DOCKER_HOST'], 'ssh://deploy@qa');
      dir = env['PATH']!.split(':')[0];
      assert.equal(env['PATH'], `${dir}:/usr/bin`);
      assert.match(await readFile(join(dir, 'ssh'), 'utf8'), /^#!\/bin\/sh\nexec '\/usr\/bin\/ssh' -F '.*\/ssh_config' "\$@"\n$/);
      const config = await readFile(join(dir, 'ssh_config'), 'utf8');
      assert.match(config, /BatchMode yes/);
      assert.match(config, new RegExp(`IdentityFile ${dir}/id_key`));
      assert.equal((await stat(join(dir, 'id_key'))).mode & 0o777, 0o600);
    });
    assert.ok(dir && !existsSync(dir));
  });

  it('SSH without an ssh client on PATH: one sentence, nothing left', async () => {
    const t = readSshConnection('sshConnection', endpoint('', { username: 'deploy' }, { host: 'qa', privatekey: KEY }));
    await assert.rejects(
      withDockerHost(t, { tempRoot: root, baseEnv: { PATH: '/nonexistent' } }, async () => undefined),
      /^ToolError: 'ssh' was not found on PATH: .*input 'sshConnection'/,
    );
    assert.deepEqual(await readdir(root), []);
  });

  it("the agent's own engine: its environment as it is, nothing written", async () => {
    await withDockerHost({ kind: 'local' }, { tempRoot: root, baseEnv: { DOCKER_HOST: 'unix:///x.sock' } }, async (env) => {
      assert.equal(env['DOCKER_HOST'], 'unix:///x.sock');
    });
    assert.deepEqual(await readdir(root), []);
  });
});
