import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { HttpRegistryClient } from '../../../src/registry/http-registry';
import { MANIFEST_MEDIA_TYPES, RegistryError, locateRepository } from '../../../src/registry/registry';
import { parseImageReference } from '../../../src/docker/reference';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A registry on 127.0.0.1 whose answers each test scripts; it records every request. */
class FakeRegistry {
  readonly requests: IncomingMessage[] = [];
  private server!: Server;
  host = '';
  constructor(private handler: Handler) {}
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push(req);
      this.handler(req, res);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function manifestOk(res: ServerResponse, digest = DIGEST): void {
  res.writeHead(200, { 'Docker-Content-Digest': digest, 'Content-Type': MANIFEST_MEDIA_TYPES[0] });
  res.end();
}

function client(
  options: { credentials?: Array<{ registry: string; username: string; password: string }>; retries?: number; timeoutMs?: number } = {},
) {
  const sleep = sinon.stub().resolves();
  const onRetry = sinon.spy();
  const registry = new HttpRegistryClient({
    credentials: options.credentials,
    retry: { retries: options.retries ?? 3, baseDelayMs: 1000, sleep },
    onRetry,
    timeoutMs: options.timeoutMs,
  });
  return { registry, sleep, onRetry };
}

describe('HttpRegistryClient (against a scripted registry on 127.0.0.1)', () => {
  let fake: FakeRegistry | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  const image = (host: string, path = 'shop/api', tag = '1.0') => parseImageReference(`${host}/${path}:${tag}`);

  it('HEADs the manifest over plain HTTP with the Docker v2, manifest-list and OCI Accept types', async () => {
    fake = await new FakeRegistry((_req, res) => manifestOk(res)).start();
    const { registry } = client();
    assert.equal(await registry.manifestDigest(image(fake.host)), DIGEST);
    const [req] = fake.requests;
    assert.equal(req.method, 'HEAD');
    assert.equal(req.url, '/v2/shop/api/manifests/1.0');
    for (const type of MANIFEST_MEDIA_TYPES) assert.ok(String(req.headers.accept).includes(type), type);
    assert.equal(req.headers.authorization, undefined);
  });

  it('answers a Basic challenge with the connection credentials, and reuses them for the next request', async () => {
    const good = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
    fake = await new FakeRegistry((req, res) => {
      if (req.headers.authorization === good) return manifestOk(res);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
    }).start();
    const { registry } = client({ credentials: [{ registry: fake.host, username: 'ci', password: 's3cret' }] });
    assert.equal(await registry.manifestDigest(image(fake.host)), DIGEST);
    assert.equal(await registry.manifestDigest(image(fake.host, 'shop/api', '2.0')), DIGEST);
    assert.deepEqual(
      fake.requests.map((r) => r.headers.authorization ?? '-'),
      ['-', good, good],
    );
  });

  it('follows a Bearer challenge to the token service, with the credentials, and sends the token', async () => {
    let tokenQuery: URLSearchParams | undefined;
    let tokenAuth: string | undefined;
    fake = await new FakeRegistry((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        tokenQuery = url.searchParams;
        tokenAuth = req.headers.authorization;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-123' }));
      } else if (req.headers.authorization === 'Bearer tok-123') manifestOk(res);
      else
        res
          .writeHead(401, {
            'WWW-Authenticate': `Bearer realm="http://${fake!.host}/token",service="reg.test",scope="repository:shop/api:pull"`,
          })
          .end();
    }).start();
    const { registry } = client({ credentials: [{ registry: fake.host, username: 'ci', password: 'pw' }] });
    assert.equal(await registry.manifestDigest(image(fake.host)), DIGEST);
    assert.equal(tokenQuery?.get('service'), 'reg.test');
    assert.equal(tokenQuery?.get('scope'), 'repository:shop/api:pull');
    assert.equal(tokenAuth, `Basic ${Buffer.from('ci:pw').toString('base64')}`);
  });

  it('never sends Basic credentials in clear text to a token service on another host, and asks nothing of it', async () => {
    const tokens = await new FakeRegistry((_req, res) => res.writeHead(200).end('{"token":"t"}')).start();
    try {
      const other = tokens.host.replace('127.0.0.1', 'localhost');
      fake = await new FakeRegistry((_req, res) =>
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${other}/token",service="x"` }).end(),
      ).start();
      const { registry } = client({ credentials: [{ registry: fake.host, username: 'ci', password: 'pw' }] });
      await assert.rejects(
        registry.manifestDigest(image(fake.host)),
        (err: unknown) =>
          err instanceof RegistryError &&
          err.message ===
            `Registry ${fake!.host} names the token service http://${other}, which is plain http on another host: the credentials of 'ci' are sent only over https, or over http to the registry's own host.`,
      );
      assert.equal(tokens.requests.length, 0, 'the other host was never asked');
    } finally {
      await tokens.stop();
    }
  });

  for (const realm of ['not a url', 'file:///etc/passwd', '']) {
    it(`a token realm that is not an http(s) URL (${JSON.stringify(realm)}) is a RegistryError, not a TypeError`, async () => {
      fake = await new FakeRegistry((_req, res) =>
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="x"` }).end(),
      ).start();
      const { registry } = client({ credentials: [{ registry: fake.host, username: 'ci', password: 'pw' }] });
      await assert.rejects(
        registry.manifestDigest(image(fake.host)),
        (err: unknown) => err instanceof RegistryError && (realm === '' || /not an http\(s\) URL/.test(err.message)),
      );
    });
  }

  const permanent: Array<[status: number, headers: Record<string, string>, withCredentials: boolean, message: RegExp]> = [
    [
      401,
      { 'WWW-Authenticate': 'Basic realm="x"' },
      true,
      /^Registry 127\.0\.0\.1:\d+ rejected the credentials of 'ci' for shop\/api:1\.0 \(401 Unauthorized\)\.$/,
    ],
    [
      401,
      { 'WWW-Authenticate': 'Basic realm="x"' },
      false,
      /^Registry 127\.0\.0\.1:\d+ requires credentials for shop\/api:1\.0 \(401 Unauthorized\): set containerRegistry/,
    ],
    [403, {}, true, /^Registry 127\.0\.0\.1:\d+ denied access to shop\/api:1\.0 \(403 Forbidden\) for 'ci'\.$/],
    [404, {}, false, /^Registry 127\.0\.0\.1:\d+ has no manifest for shop\/api:1\.0 \(404 Not Found\)\.$/],
  ];
  for (const [status, headers, withCredentials, message] of permanent) {
    it(`fails at once on ${status}${withCredentials ? ' with credentials' : ''}, naming the registry and the reason`, async () => {
      fake = await new FakeRegistry((_req, res) => res.writeHead(status, headers).end()).start();
      const { registry, sleep } = client({
        credentials: withCredentials ? [{ registry: fake.host, username: 'ci', password: 'wrong' }] : [],
      });
      await assert.rejects(registry.manifestDigest(image(fake.host)), (err: unknown) => {
        assert.ok(err instanceof RegistryError && !err.transient);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('wrong'), 'no password in the message');
        return true;
      });
      sinon.assert.notCalled(sleep);
    });
  }

  it('retries 5xx and 429 with exponential backoff, then succeeds', async () => {
    const answers = [503, 429, 200];
    fake = await new FakeRegistry((_req, res) => {
      const status = answers.shift()!;
      if (status === 200) manifestOk(res);
      else res.writeHead(status).end();
    }).start();
    const { registry, sleep, onRetry } = client();
    assert.equal(await registry.manifestDigest(image(fake.host)), DIGEST);
    assert.deepEqual(
      sleep.getCalls().map((c) => c.args[0]),
      [1000, 2000],
    );
    assert.match(onRetry.firstCall.args[0], /answered 503 Service Unavailable for shop\/api:1\.0; retry 1 of 3 in 1 s\.$/);
  });

  it('gives up after the retries, saying how many attempts it made', async () => {
    fake = await new FakeRegistry((_req, res) => res.writeHead(502).end()).start();
    const { registry, sleep } = client({ retries: 2 });
    await assert.rejects(registry.manifestDigest(image(fake.host)), {
      message: /^Registry 127\.0\.0\.1:\d+ answered 502 Bad Gateway for shop\/api:1\.0 \(gave up after 3 attempts\)\.$/,
    });
    assert.equal(fake.requests.length, 3);
    assert.deepEqual(
      sleep.getCalls().map((c) => c.args[0]),
      [1000, 2000],
    );
  });

  it('retries a refused connection (nothing listening), then fails clearly', async () => {
    const probe = await new FakeRegistry(() => undefined).start();
    const host = probe.host;
    await probe.stop();
    const { registry, sleep } = client({ retries: 3 });
    await assert.rejects(registry.manifestDigest(image(host)), (err: unknown) => {
      assert.ok(err instanceof RegistryError && err.transient);
      assert.equal(err.message, `Registry ${host} cannot be reached: connection refused (ECONNREFUSED) (gave up after 4 attempts).`);
      return true;
    });
    assert.deepEqual(
      sleep.getCalls().map((c) => c.args[0]),
      [1000, 2000, 4000],
    );
  });

  it('follows redirects, and counts a registry that does not answer in time as transient', async () => {
    fake = await new FakeRegistry((req, res) => {
      if (req.url?.startsWith('/v2/')) res.writeHead(307, { Location: '/elsewhere' }).end();
      else if (req.url === '/elsewhere') manifestOk(res);
    }).start();
    assert.equal(await client().registry.manifestDigest(image(fake.host)), DIGEST);
    await fake.stop();
    fake = await new FakeRegistry(() => undefined).start(); // accepts, never answers
    const { registry, sleep } = client({ retries: 1, timeoutMs: 50 });
    await assert.rejects(registry.manifestDigest(image(fake.host)), (err: unknown) => {
      assert.ok(err instanceof RegistryError && err.transient);
      assert.match(err.message, /cannot be reached: no answer in time \(ETIMEDOUT\) \(gave up after 2 attempts\)\.$/);
      return true;
    });
    sinon.assert.calledOnce(sleep);
  });

  it('does not send the credentials to another host the registry redirects to', async () => {
    const good = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
    const cdn = await new FakeRegistry((_req, res) => manifestOk(res)).start();
    try {
      fake = await new FakeRegistry((req, res) => {
        if (req.headers.authorization !== good) res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end();
        else res.writeHead(307, { Location: `http://${cdn.host.replace('127.0.0.1', 'localhost')}/m` }).end();
      }).start();
      const { registry } = client({ credentials: [{ registry: fake.host, username: 'ci', password: 's3cret' }] });
      assert.equal(await registry.manifestDigest(image(fake.host)), DIGEST);
      assert.equal(cdn.requests.length, 1);
      assert.equal(cdn.requests[0].headers.authorization, undefined);
    } finally {
      await cdn.stop();
    }
  });

  it('hashes the manifest itself when a registry leaves Docker-Content-Digest off the HEAD', async () => {
    const body = '{"schemaVersion":2}';
    fake = await new FakeRegistry((req, res) => {
      res.writeHead(200, { 'Content-Type': MANIFEST_MEDIA_TYPES[0] });
      res.end(req.method === 'GET' ? body : undefined);
    }).start();
    const { registry } = client();
    assert.equal(await registry.manifestDigest(image(fake.host)), `sha256:${createHash('sha256').update(body).digest('hex')}`);
  });
});

describe('locateRepository', () => {
  const cases: Array<[string, { registry: string; baseUrl: string; repository: string }]> = [
    ['127.0.0.1:5000/shop/api:1', { registry: '127.0.0.1:5000', baseUrl: 'http://127.0.0.1:5000', repository: 'shop/api' }],
    ['localhost:5000/api', { registry: 'localhost:5000', baseUrl: 'http://localhost:5000', repository: 'api' }],
    ['contoso.azurecr.io/shop/api:1', { registry: 'contoso.azurecr.io', baseUrl: 'https://contoso.azurecr.io', repository: 'shop/api' }],
    ['nginx:1.27', { registry: 'docker.io', baseUrl: 'https://registry-1.docker.io', repository: 'library/nginx' }],
    ['128.0.0.1:5000/x', { registry: '128.0.0.1:5000', baseUrl: 'https://128.0.0.1:5000', repository: 'x' }],
  ];
  for (const [ref, expected] of cases) {
    it(`${ref} → ${expected.baseUrl}/v2/${expected.repository}`, () =>
      assert.deepEqual(locateRepository(parseImageReference(ref)), expected));
  }
});
