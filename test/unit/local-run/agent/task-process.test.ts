import { strict as assert } from 'node:assert';
import { buildTaskEnv, inputEnvName, variableEnvName } from '../../../../src/local-run/agent/task-process';
import { expandMacros } from '../../../../src/local-run/agent/macros';
import type { TaskManifest } from '../../../../src/local-run/agent/task-manifest';

const manifest: TaskManifest = {
  id: 'x',
  name: 'T',
  version: { Major: 1, Minor: 0, Patch: 0 },
  execution: { Node20_1: { target: 'index.js' } },
  inputs: [
    { name: 'tags', type: 'multiLine', label: 'Tags', defaultValue: '$(Build.BuildNumber)' },
    { name: 'containerRegistry', type: 'connectedService:dockerregistry', label: 'R', aliases: ['registry'] },
    { name: 'password', type: 'string', label: 'P' },
    { name: 'empty', type: 'string', label: 'E', defaultValue: '' },
  ],
};

describe('buildTaskEnv', () => {
  const env = buildTaskEnv(
    {
      taskDir: '/t',
      inputs: { registry: 'reg1', password: '$(regPassword)' },
      variables: { 'Build.BuildNumber': '20261122.3' },
      secrets: { regPassword: 'hunter2' },
      endpoints: [
        {
          id: 'reg1',
          url: 'https://r',
          scheme: 'UsernamePassword',
          parameters: { username: 'u', password: 'p' },
          data: { loginServer: 'r' },
        },
      ],
      baseEnv: { PATH: '/bin', INPUT_STALE: 'x', SECRET_OLD: 'y' },
    },
    manifest,
  );

  it('fills task.json defaults and expands macros in them', () => assert.equal(env['INPUT_TAGS'], '20261122.3'));
  it('accepts an input by its alias', () => assert.equal(env['INPUT_CONTAINERREGISTRY'], 'reg1'));
  it('expands secret variables into inputs but never exports them as plain variables', () => {
    assert.equal(env['INPUT_PASSWORD'], 'hunter2');
    assert.equal(env['SECRET_REGPASSWORD'], 'hunter2');
    assert.equal(env['REGPASSWORD'], undefined);
  });
  it('exports variables under the agent names', () => assert.equal(env['BUILD_BUILDNUMBER'], '20261122.3'));
  it('exports endpoints in every form the library reads', () => {
    assert.equal(env['ENDPOINT_URL_reg1'], 'https://r');
    assert.deepEqual(JSON.parse(env['ENDPOINT_AUTH_reg1'] ?? ''), {
      scheme: 'UsernamePassword',
      parameters: { username: 'u', password: 'p' },
    });
    assert.equal(env['ENDPOINT_AUTH_PARAMETER_reg1_PASSWORD'], 'p');
    assert.equal(env['ENDPOINT_DATA_reg1_LOGINSERVER'], 'r');
  });
  it('drops agent variables inherited from the caller and leaves empty inputs unset', () => {
    assert.equal(env['INPUT_STALE'], undefined);
    assert.equal(env['SECRET_OLD'], undefined);
    assert.equal(env['INPUT_EMPTY'], undefined);
    assert.equal(env['PATH'], '/bin');
  });
});

describe('agent names and macros', () => {
  it('names variables and inputs as the agent does', () => {
    assert.equal(variableEnvName('Build.Source Version'), 'BUILD_SOURCE_VERSION');
    assert.equal(inputEnvName('buildContext'), 'INPUT_BUILDCONTEXT');
  });
  it('expands known macros and leaves unknown ones', () => {
    assert.equal(
      expandMacros('$(a)-$(b.c)-$(nope)', (n) => ({ a: '1', 'b.c': '2' })[n]),
      '1-2-$(nope)',
    );
  });
});
