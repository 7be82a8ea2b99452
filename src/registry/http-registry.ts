import { createHash } from 'node:crypto';
import { isSha256Digest, type ImageReference } from '../docker/reference';
import type { RegistryCredentials } from '../docker/registry-credentials';
import { MANIFEST_MEDIA_TYPES, RegistryError, locateRepository, type Registry, type RegistryLocation } from './registry';
import { nodeHttpTransport, type HttpResponse, type HttpTransport } from './transport';
import { withRetries, type AttemptFailure, type RetryPolicy } from '../common/retry';
import { parseWwwAuthenticate } from './www-authenticate';

/** How the client reaches registries. */
export interface HttpRegistryOptions {
  /** Credentials by registry host; a registry without any is asked anonymously. Kept in memory only. */
  credentials?: readonly RegistryCredentials[];
  retry: RetryPolicy;
  /** Per request (default 30 s); a request that takes longer counts as a transient failure. */
  timeoutMs?: number;
  /** Told before each retry, with a one-line reason (no secrets). */
  onRetry?: (message: string) => void;
  /** The HTTP port (default: Node's own http/https). */
  transport?: HttpTransport;
}

/** Network error codes that mean "try again": the registry is restarting, overloaded or flaky. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * A small Docker Registry HTTP API v2 client: HEAD on a manifest with the Docker v2, manifest-list
 * and OCI Accept types, answering the registry's challenge with Basic auth or a Bearer token from
 * its token service. Connection failures, 5xx and 429 are retried with exponential backoff;
 * 401, 403 and 404 fail at once with a message that names the registry and the reason.
 */
export class HttpRegistryClient implements Registry {
  private readonly authorizations = new Map<string, string>();
  private readonly transport: HttpTransport;

  constructor(private readonly options: HttpRegistryOptions) {
    this.transport = options.transport ?? nodeHttpTransport;
  }

  async manifestDigest(image: ImageReference): Promise<string> {
    const location = locateRepository(image);
    const tag = image.tag ?? 'latest';
    const url = `${location.baseUrl}/v2/${location.repository}/manifests/${encodeURIComponent(tag)}`;
    const subject = `${location.repository}:${tag}`;
    let attempts = 0;
    try {
      return await withRetries(
        this.options.retry,
        async (n) => {
          attempts = n;
          return await this.readDigest(location, url, subject);
        },
        classifyFailure,
        ({ retry, of, delayMs, reason }) =>
          this.options.onRetry?.(`Registry ${location.registry}: ${reason}; retry ${retry} of ${of} in ${delayMs / 1000} s.`),
      );
    } catch (err) {
      if (err instanceof RegistryError && err.transient && attempts > 1) {
        throw new RegistryError(err.registry, `${err.message.replace(/\.$/, '')} (gave up after ${attempts} attempts).`, true, err.status);
      }
      throw err;
    }
  }

  /** One attempt: HEAD (answering one auth challenge), then the digest header, else a GET hashed here. */
  private async readDigest(location: RegistryLocation, url: string, subject: string): Promise<string> {
    const key = `${location.registry}/${location.repository}`;
    let response = await this.request(location, url, 'HEAD', this.authorizations.get(key));
    if (response.status === 401) {
      const authorization = await this.authorize(location, headerValue(response, 'www-authenticate'), subject);
      this.authorizations.set(key, authorization);
      response = await this.request(location, url, 'HEAD', authorization);
    }
    if (response.status !== 200) throw this.statusError(location, subject, response.status, response.statusText);
    const header = headerValue(response, 'docker-content-digest');
    if (header && isSha256Digest(header)) return header;
    // Some registries leave the header off a HEAD: the digest is then the hash of the exact bytes served.
    const get = await this.request(location, url, 'GET', this.authorizations.get(key));
    if (get.status !== 200) throw this.statusError(location, subject, get.status, get.statusText);
    return `sha256:${createHash('sha256').update(get.body).digest('hex')}`;
  }

  /** Answers a 401 challenge: Basic with the connection's credentials, or a Bearer token from the realm. */
  private async authorize(location: RegistryLocation, header: string | undefined, subject: string): Promise<string> {
    const credentials = this.credentialsFor(location.registry);
    const challenges = parseWwwAuthenticate(header ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (bearer) {
      const tokenUrl = parseRealm(location, bearer.params['realm']);
      if (basic && !mayReceiveCredentials(location, tokenUrl)) {
        throw new RegistryError(
          location.registry,
          `Registry ${location.registry} names the token service ${tokenUrl.origin}, which is plain http on another host: the credentials of '${credentials!.username}' are sent only over https, or over http to the registry's own host.`,
          false,
        );
      }
      if (bearer.params['service']) tokenUrl.searchParams.set('service', bearer.params['service']);
      tokenUrl.searchParams.set('scope', bearer.params['scope'] ?? `repository:${location.repository}:pull`);
      const response = await this.request(location, tokenUrl.toString(), 'GET', basic);
      if (response.status !== 200)
        throw this.statusError(location, `a token for ${location.repository}`, response.status, response.statusText);
      const body = parseJson(response.body) as { token?: unknown; access_token?: unknown };
      const token = typeof body.token === 'string' ? body.token : body.access_token;
      if (typeof token !== 'string' || token === '') {
        throw new RegistryError(
          location.registry,
          `Registry ${location.registry}'s token service answered without a token for ${location.repository}.`,
          false,
        );
      }
      return `Bearer ${token}`;
    }
    if (challenges.some((c) => c.scheme === 'basic') && basic) return basic;
    throw this.statusError(location, subject, 401, 'Unauthorized');
  }

  private credentialsFor(registry: string): RegistryCredentials | undefined {
    return this.options.credentials?.find((c) => c.registry === registry);
  }

  private async request(location: RegistryLocation, url: string, method: 'HEAD' | 'GET', authorization?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(', '), 'User-Agent': 'outerloop' };
    if (authorization) headers['Authorization'] = authorization;
    const signal = this.options.retry.signal;
    try {
      return await this.transport({ method, url, headers, signal, timeoutMs: this.options.timeoutMs ?? 30_000 });
    } catch (err) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
      throw networkError(location.registry, err);
    }
  }

  /** The one-sentence error for an HTTP status; 429 and 5xx are transient. */
  private statusError(location: RegistryLocation, subject: string, status: number, statusText: string): RegistryError {
    const { registry } = location;
    const code = `${status}${statusText ? ` ${statusText}` : ''}`;
    const credentials = this.credentialsFor(registry);
    switch (status) {
      case 401:
        return new RegistryError(
          registry,
          credentials
            ? `Registry ${registry} rejected the credentials of '${credentials.username}' for ${subject} (${code}).`
            : `Registry ${registry} requires credentials for ${subject} (${code}): set containerRegistry to a service connection for ${registry}.`,
          false,
          status,
        );
      case 403:
        return new RegistryError(
          registry,
          `Registry ${registry} denied access to ${subject} (${code})${credentials ? ` for '${credentials.username}'` : ''}.`,
          false,
          status,
        );
      case 404:
        return new RegistryError(registry, `Registry ${registry} has no manifest for ${subject} (${code}).`, false, status);
      default:
        return new RegistryError(
          registry,
          `Registry ${registry} answered ${code} for ${subject}.`,
          status === 429 || status >= 500,
          status,
        );
    }
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'no answer in time',
};

/** Turns a socket failure into a RegistryError: refused, reset and timed-out connections are transient. */
function networkError(registry: string, err: unknown): RegistryError {
  const e = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  const reason = (code && REASONS[code]) ?? e.message;
  return new RegistryError(
    registry,
    `Registry ${registry} cannot be reached: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}.`,
    code !== undefined && TRANSIENT_CODES.has(code),
  );
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return (Array.isArray(value) ? value.join(', ') : value)?.trim();
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
}

function classifyFailure(err: unknown): AttemptFailure {
  if (err instanceof RegistryError)
    return { transient: err.transient, reason: err.message.replace(/^Registry \S+ /, '').replace(/\.$/, '') };
  return { transient: false, reason: String(err) };
}

/** The token service a Bearer challenge names; a realm that is not an http(s) URL is the registry's error. */
function parseRealm(location: RegistryLocation, realm: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(realm);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new RegistryError(
      location.registry,
      `Registry ${location.registry} answered with a token service realm that is not an http(s) URL (${JSON.stringify(realm.slice(0, 100))}).`,
      false,
    );
  }
  return url;
}

/**
 * Basic credentials go to a token service over https, or over http only when the registry itself
 * is plain http and the token service is on its own host: never in clear text to another host.
 */
function mayReceiveCredentials(location: RegistryLocation, tokenUrl: URL): boolean {
  if (tokenUrl.protocol === 'https:') return true;
  const registry = new URL(location.baseUrl);
  return registry.protocol === 'http:' && tokenUrl.hostname === registry.hostname;
}
