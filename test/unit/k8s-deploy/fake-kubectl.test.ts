import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandOf, fakeKubectlEnv, readKubectlLog, type FakeKubectlOptions } from '../../support/fake-kubectl';

/** The stand-in itself must answer as kubectl does, or the task tests prove nothing. */
describe('the fake kubectl (test support)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outerloop-fake-kubectl-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  function kubectl(args: string[], options: Partial<FakeKubectlOptions> = {}, stdin?: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync('kubectl', args, { env: fakeKubectlEnv({ log: join(dir, 'log'), ...options }), input: stdin, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('records argv and the kubeconfig (mode, whether it holds the token), and answers a rollout', async () => {
    const config = join(dir, 'kubeconfig');
    await writeFile(config, 'users: [{user: {token: tok-123}}]', { mode: 0o600 });
    const r = kubectl(['--kubeconfig', config, 'rollout', 'status', 'deployment/api', '--namespace', 'qa', '--timeout=5s'], { expectToken: 'tok-123' });
    assert.deepEqual(r, { code: 0, stdout: 'deployment "api" successfully rolled out\n', stderr: '' });
    const [call] = readKubectlLog(join(dir, 'log'));
    assert.equal(commandOf(call), 'rollout status deployment/api --namespace qa --timeout=5s');
    assert.deepEqual(call.kubeconfig, { path: config, exists: true, mode: '600', hasToken: true });
  });

  it('times out a rollout and refuses connections, per scenario', () => {
    const timeout = kubectl(['rollout', 'status', 'deployment/api'], { scenario: 'rollout-timeout', failing: ['deployment/api'] });
    assert.deepEqual([timeout.code, timeout.stderr], [1, 'error: timed out waiting for the condition\n']);
    const other = kubectl(['rollout', 'status', 'deployment/web'], { scenario: 'rollout-timeout', failing: ['deployment/api'] });
    assert.equal(other.code, 0);
    const unreachable = kubectl(['get', 'pods'], { scenario: 'unreachable' });
    assert.match(unreachable.stderr, /^The connection to the server 127\.0\.0\.1:6443 was refused/);
    const version = kubectl(['version', '--client', '--output=json'], { scenario: 'unreachable' });
    assert.equal(version.code, 0, 'the client version needs no cluster');
  });

  it('reads the manifests from stdin, records them, and answers per object or rejects them', () => {
    const manifests = '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n';
    const applied = kubectl(['apply', '--server-side', '--filename', '-'], {}, manifests);
    assert.deepEqual([applied.code, applied.stdout], [0, 'deployment/api serverside-applied\nservice/api serverside-applied\n']);
    assert.equal(readKubectlLog(join(dir, 'log'))[0].stdin, manifests);
    const rejected = kubectl(['apply', '--server-side', '--filename', '-'], { scenario: 'apply-rejected' }, manifests);
    assert.deepEqual([rejected.code, rejected.stderr], [1, 'Error from server (Invalid): Deployment.apps "api" is invalid: spec.template.spec.containers[0].image: Required value\n']);
  });
});
