import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { withDockerLogin } from '../../../src/docker/docker-config';
import { DockerCli, dockerEnv } from '../../../src/docker/engine';
import { agentPluginDirs, findCliPlugin, systemPluginDirs } from '../../../src/docker/plugins';
import { readRegistryCredentials, registryHostOf } from '../../../src/docker/registry-credentials';
import { InputError, ToolError } from '../../../src/common/errors';
import type { PipelineOutput } from '../../../src/pipeline/interfaces';
import type { ProcessRunner } from '../../../src/process/runner';

function fakeOutput(): { [K in keyof PipelineOutput]: sinon.SinonSpy } {
  return {
    info: sinon.spy(),
    warning: sinon.spy(),
    debug: sinon.spy(),
    setSecret: sinon.spy(),
    setOutput: sinon.spy(),
    uploadArtifact: sinon.spy(),
    publishTestResults: sinon.spy(),
    uploadSummary: sinon.spy(),
    addAttachment: sinon.spy(),
  };
}

describe('withDockerLogin', () => {
  const creds = { registry: '127.0.0.1:5001', username: 'ci', password: 'pa55-word' };

  it('logs in with the password on stdin, into a temporary config that is removed afterwards', async () => {
    const exec = sinon
      .stub<Parameters<ProcessRunner['exec']>, ReturnType<ProcessRunner['exec']>>()
      .resolves({ code: 0, stdout: '', stderr: '' });
    const output = fakeOutput();
    let seen = '';
    const result = await withDockerLogin({ docker: new DockerCli({ exec }), output }, [creds], { tempRoot: tmpdir() }, async (dir) => {
      seen = dir ?? '';
      assert.ok(existsSync(seen));
      return 'done';
    });
    assert.equal(result, 'done');
    assert.ok(!existsSync(seen), 'the temporary DOCKER_CONFIG must be deleted');
    assert.ok(output.setSecret.calledOnceWith('pa55-word'));
    sinon.assert.calledOnce(exec);
    const [file, args, options] = exec.firstCall.args;
    assert.equal(file, 'docker');
    assert.deepEqual(args, ['--config', seen, 'login', '127.0.0.1:5001', '--username', 'ci', '--password-stdin']);
    assert.equal(options?.stdin, 'pa55-word');
    assert.ok(!args.join(' ').includes('pa55-word'));
  });

  it("keeps the agent's CLI plugins: the temporary config.json lists their folders in cliPluginsExtraDirs", async () => {
    const agentConfig = mkdtempSync(join(tmpdir(), 'outerloop-agent-docker-'));
    try {
      writeFileSync(
        join(agentConfig, 'config.json'),
        JSON.stringify({ auths: { 'x.io': { auth: 'c2VjcmV0' } }, cliPluginsExtraDirs: ['/opt/plugins'] }),
      );
      const exec = sinon.stub().resolves({ code: 0, stdout: '', stderr: '' });
      let written: unknown;
      let mode = 0;
      await withDockerLogin(
        { docker: new DockerCli({ exec }), output: fakeOutput() },
        [creds],
        { tempRoot: agentConfig, env: { DOCKER_CONFIG: agentConfig } },
        async (dir) => {
          written = JSON.parse(readFileSync(join(dir!, 'config.json'), 'utf8'));
          mode = statSync(join(dir!, 'config.json')).mode & 0o777;
        },
      );
      assert.deepEqual(
        written,
        { cliPluginsExtraDirs: [join(agentConfig, 'cli-plugins'), '/opt/plugins'] },
        "the plugin folders, and none of the agent's credentials",
      );
      assert.equal(mode, 0o600);
      assert.deepEqual(await agentPluginDirs({ HOME: '/home/agent' }), ['/home/agent/.docker/cli-plugins']);
    } finally {
      rmSync(agentConfig, { recursive: true, force: true });
    }
  });

  it('removes the config and fails clearly when login is refused', async () => {
    const exec = sinon
      .stub()
      .resolves({ code: 1, stdout: '', stderr: 'Error response from daemon: login attempt failed with status: 401 Unauthorized\n' });
    const body = sinon.spy();
    await assert.rejects(
      withDockerLogin({ docker: new DockerCli({ exec }), output: fakeOutput() }, [creds], { tempRoot: tmpdir() }, body),
      (err: unknown) => {
        assert.ok(err instanceof ToolError);
        assert.match(err.message, /^docker login to 127\.0\.0\.1:5001 as ci failed: .*401 Unauthorized$/);
        return true;
      },
    );
    sinon.assert.notCalled(body);
    const dir = exec.firstCall.args[1][1] as string;
    assert.ok(!existsSync(dir));
  });

  it('uses the agent configuration when there are no credentials', async () => {
    const exec = sinon.stub();
    assert.equal(
      await withDockerLogin({ docker: new DockerCli({ exec }), output: fakeOutput() }, [], { tempRoot: tmpdir() }, async (d) => d),
      undefined,
    );
    sinon.assert.notCalled(exec);
    assert.equal(dockerEnv(undefined, { A: '1' })['DOCKER_CONFIG'], undefined);
    assert.equal(dockerEnv('/tmp/x', { A: '1' })['DOCKER_CONFIG'], '/tmp/x');
  });
});

describe('registry credentials', () => {
  it('normalizes registry hosts', () => {
    assert.equal(registryHostOf('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryHostOf('https://Contoso.azurecr.io'), 'contoso.azurecr.io');
    assert.equal(registryHostOf('127.0.0.1:5001'), '127.0.0.1:5001');
    assert.equal(registryHostOf('http://127.0.0.1:5001/v2/'), '127.0.0.1:5001');
  });

  it('reads the username/password and the ACR service-principal forms', () => {
    assert.deepEqual(
      readRegistryCredentials('containerRegistry', {
        id: 'r',
        url: 'https://index.docker.io/v1/',
        scheme: 'UsernamePassword',
        auth: { username: 'u', password: 'p' },
        data: {},
      }),
      { registry: 'docker.io', username: 'u', password: 'p' },
    );
    assert.deepEqual(
      readRegistryCredentials('containerRegistry', {
        id: 'r',
        url: '',
        scheme: 'ServicePrincipal',
        auth: { serviceprincipalid: 'id', serviceprincipalkey: 'k' },
        data: { loginserver: 'contoso.azurecr.io' },
      }),
      { registry: 'contoso.azurecr.io', username: 'id', password: 'k' },
    );
  });

  it('names the connection that has no credentials', () => {
    assert.throws(
      () => readRegistryCredentials('containerRegistry', { id: 'myreg', url: 'https://r', scheme: 'None', auth: {}, data: {} }),
      (err: unknown) =>
        err instanceof InputError && /service connection 'myreg' \(scheme None\), which has no username and password/.test(err.message),
    );
  });
});

describe('docker CLI plugin folders', () => {
  it('findCliPlugin finds an executable plugin in DOCKER_CONFIG/cli-plugins or a cliPluginsExtraDirs folder, and nothing else', async () => {
    const config = mkdtempSync(join(tmpdir(), 'outerloop-plugins-'));
    try {
      mkdirSync(join(config, 'cli-plugins'));
      mkdirSync(join(config, 'extra'));
      writeFileSync(join(config, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [join(config, 'extra')] }));
      writeFileSync(join(config, 'cli-plugins', 'docker-outerloopa'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(config, 'extra', 'docker-outerloopb'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(config, 'cli-plugins', 'docker-outerloopc'), 'not executable\n', { mode: 0o644 });
      const env = { DOCKER_CONFIG: config };
      assert.deepEqual(await Promise.all(['outerloopa', 'outerloopb', 'outerloopc', 'outerloopd'].map((n) => findCliPlugin(n, env))), [
        true,
        true,
        false,
        false,
      ]);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it("systemPluginDirs: docker/cli's folders per platform", () => {
    assert.deepEqual(systemPluginDirs({}, 'linux'), [
      '/usr/local/lib/docker/cli-plugins',
      '/usr/local/libexec/docker/cli-plugins',
      '/usr/lib/docker/cli-plugins',
      '/usr/libexec/docker/cli-plugins',
    ]);
    assert.equal(systemPluginDirs({}, 'darwin').at(-1), '/Applications/Docker.app/Contents/Resources/cli-plugins');
    assert.deepEqual(systemPluginDirs({ ProgramData: 'C:/ProgramData', ProgramFiles: 'C:/Program Files' }, 'win32'), [
      join('C:/ProgramData', 'Docker', 'cli-plugins'),
      join('C:/Program Files', 'Docker', 'cli-plugins'),
    ]);
  });
});
