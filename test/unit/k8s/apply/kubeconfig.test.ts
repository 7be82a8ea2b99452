import { strict as assert } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { FileError, InputError } from '../../../../src/common/errors';
import {
  clusterSecrets,
  decodeServiceAccountToken,
  describeClusterAccess,
  describeKubeconfig,
  encodeCertificate,
  formatTokenKubeconfig,
  readKubernetesConnection,
  secretLinesOf,
  withKubeconfig,
  type ClusterAccess,
} from '../../../../src/k8s/apply/kubeconfig';
import type { ServiceEndpoint } from '../../../../src/pipeline/interfaces';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: qa
clusters:
- name: qa-cluster
  cluster:
    server: https://qa.example.com:6443
contexts:
- name: qa
  context: {cluster: qa-cluster, user: ci, namespace: shop-qa}
- name: prod
  context: {cluster: qa-cluster, user: ci}
users:
- name: ci
  user:
    token: kube-token-0123456789
`;

function endpoint(auth: Record<string, string>, data: Record<string, string> = {}, url = 'https://k8s.example.com:6443'): ServiceEndpoint {
  return { id: 'aks-qa', url, scheme: 'Token', auth, data };
}

describe('readKubernetesConnection', () => {
  it('reads the kubeconfig form with its cluster context', () => {
    const access = readKubernetesConnection(
      'conn',
      endpoint({ kubeconfig: KUBECONFIG, clustercontext: 'prod' }, { authorizationtype: 'Kubeconfig' }),
    );
    assert.deepEqual(access, { kind: 'kubeconfig', content: KUBECONFIG, context: 'prod', source: "service connection 'aks-qa'" });
  });

  const tokenCases: Array<[string, string, string]> = [
    ['the base64 data.token Azure DevOps stores', Buffer.from(JWT).toString('base64'), JWT],
    ['a raw JWT', JWT, JWT],
  ];
  for (const [what, stored, expected] of tokenCases) {
    it(`reads the service-account form: ${what}`, () => {
      const access = readKubernetesConnection(
        'conn',
        endpoint(
          { apitoken: stored, serviceaccountcertificate: Buffer.from(PEM).toString('base64') },
          { authorizationtype: 'ServiceAccount' },
        ),
      );
      assert.equal(access.kind, 'token');
      assert.equal(access.kind === 'token' && access.token, expected);
      assert.equal(access.kind === 'token' && access.server, 'https://k8s.example.com:6443');
      assert.equal(access.kind === 'token' && access.caData, Buffer.from(PEM).toString('base64'));
    });
  }

  it('encodes a pasted PEM certificate and honours acceptUntrustedCerts without one', () => {
    assert.equal(encodeCertificate(PEM), Buffer.from(PEM + '\n').toString('base64'));
    assert.equal(decodeServiceAccountToken(`  ${JWT}\n`), JWT);
    const access = readKubernetesConnection('conn', endpoint({ apitoken: JWT }, { acceptuntrustedcerts: 'true' }));
    assert.deepEqual(access.kind === 'token' && [access.caData, access.insecure], [undefined, true]);
  });

  it('names the input and the connection when the form is not supported', () => {
    assert.throws(
      () =>
        readKubernetesConnection(
          'kubernetesServiceConnection',
          endpoint({ serviceprincipalid: 'x' }, { authorizationtype: 'AzureSubscription' }),
        ),
      (err: unknown) =>
        err instanceof InputError &&
        /^Input 'kubernetesServiceConnection' names service connection 'aks-qa' \(azuresubscription\), which has neither a kubeconfig nor a service-account token/.test(
          err.message,
        ),
    );
    assert.throws(() => readKubernetesConnection('k', endpoint({ apitoken: JWT }, {}, '')), /has no server URL/);
  });
});

describe('formatTokenKubeconfig / describeKubeconfig', () => {
  it('writes a kubeconfig kubectl reads: server, CA, token, one current context', () => {
    const doc = load(formatTokenKubeconfig({ server: 'https://k:6443', token: JWT, caData: 'Q0E=', insecure: false })) as Record<
      string,
      unknown
    >;
    assert.deepEqual(doc['clusters'], [{ name: 'outerloop', cluster: { server: 'https://k:6443', 'certificate-authority-data': 'Q0E=' } }]);
    assert.deepEqual(doc['users'], [{ name: 'outerloop', user: { token: JWT } }]);
    assert.equal(doc['current-context'], 'outerloop');
    const insecure = load(formatTokenKubeconfig({ server: 'https://k', token: JWT, insecure: true })) as {
      clusters: Array<{ cluster: Record<string, unknown> }>;
    };
    assert.equal(insecure.clusters[0].cluster['insecure-skip-tls-verify'], true);
  });

  it('reads the namespace and server of the current or the named context', () => {
    assert.deepEqual(describeKubeconfig(KUBECONFIG, undefined, 'f'), { namespace: 'shop-qa', server: 'https://qa.example.com:6443' });
    assert.deepEqual(describeKubeconfig(KUBECONFIG, 'prod', 'f'), { namespace: undefined, server: 'https://qa.example.com:6443' });
  });

  it('names the source of a malformed kubeconfig or a missing context', () => {
    assert.throws(
      () => describeKubeconfig('a: [', undefined, "service connection 'x'"),
      (e: unknown) => e instanceof FileError && /^service connection 'x': is not a valid kubeconfig/.test(e.message),
    );
    assert.throws(() => describeKubeconfig(KUBECONFIG, 'staging', '/k/config'), { message: "/k/config: has no context named 'staging'." });
    assert.throws(() => describeKubeconfig('- a\n- b\n', undefined, 'f'), /not a YAML mapping/);
  });

  it('lists the secrets a kubeconfig holds', () => {
    assert.deepEqual(clusterSecrets({ kind: 'kubeconfig', content: KUBECONFIG, source: 's' }), ['kube-token-0123456789']);
    assert.deepEqual(clusterSecrets({ kind: 'token', server: 's', token: JWT, insecure: false, source: 's' }), [JWT]);
    assert.deepEqual(clusterSecrets({ kind: 'file', path: '/x', source: '/x' }), []);
  });
});

describe('withKubeconfig', () => {
  let temp: string;
  beforeEach(async () => {
    temp = await mkdtemp(join(tmpdir(), 'outerloop-k8s-deploy-test-'));
  });
  afterEach(async () => rm(temp, { recursive: true, force: true }));

  const token: ClusterAccess = { kind: 'token', server: 'https://k:6443', token: JWT, caData: 'Q0E=', insecure: false, source: 's' };

  it('writes the credentials to a 0600 file in the temp folder, and removes it after', async () => {
    let seen = '';
    const result = await withKubeconfig(token, temp, async (handle) => {
      seen = handle.path;
      assert.ok(handle.path.startsWith(temp));
      assert.equal(statSync(handle.path).mode & 0o777, 0o600);
      assert.match(await readFile(handle.path, 'utf8'), new RegExp(JWT.replace(/\./g, '\\.')));
      return 42;
    });
    assert.equal(result, 42);
    assert.ok(!existsSync(seen));
    assert.deepEqual(await readdir(temp), [], 'nothing is left in the temp folder');
  });

  it('removes the file when the body fails, and keeps the context of the kubeconfig form', async () => {
    let seen = '';
    await assert.rejects(
      withKubeconfig({ kind: 'kubeconfig', content: KUBECONFIG, context: 'prod', source: 's' }, temp, async (handle) => {
        seen = handle.path;
        assert.equal(handle.context, 'prod');
        assert.equal(await readFile(handle.path, 'utf8'), KUBECONFIG);
        throw new Error('apply failed');
      }),
      /apply failed/,
    );
    assert.ok(!existsSync(seen));
    assert.deepEqual(await readdir(temp), []);
  });

  it("uses the user's kubeconfig file in place and never deletes it", async () => {
    const file = join(temp, 'config');
    await writeFile(file, KUBECONFIG);
    const access: ClusterAccess = { kind: 'file', path: file, source: file };
    assert.equal(await withKubeconfig(access, temp, async (h) => h.path), file);
    assert.ok(existsSync(file));
    assert.deepEqual(await describeClusterAccess(access, (p) => readFile(p, 'utf8')), {
      namespace: 'shop-qa',
      server: 'https://qa.example.com:6443',
    });
  });
});

describe('secretLinesOf', () => {
  it('finds credentials in block and flow style, and in a kubeconfig that is not YAML', () => {
    assert.deepEqual(secretLinesOf('users:\n- name: u\n  user: {token: flow-style-token, client-key-data: S0VZS0VZS0VZ}\n'), [
      'flow-style-token',
      'S0VZS0VZS0VZ',
    ]);
    assert.deepEqual(
      secretLinesOf(
        'users:\n- name: u\n  user:\n    auth-provider:\n      config: {id-token: id-token-value, refresh-token: refresh-value}\n',
      ),
      ['id-token-value', 'refresh-value'],
    );
    assert.deepEqual(secretLinesOf('users: [\n  token: broken-yaml-token\n'), ['broken-yaml-token']);
  });

  it('registers every credential, however short (a 4-character password is still a password)', () => {
    assert.deepEqual(secretLinesOf('users:\n- name: u\n  user: {username: admin, password: pw1, token: t}\n'), ['pw1', 't']);
    assert.deepEqual(secretLinesOf('users: [\n  password: abc\n'), ['abc']);
  });
});
