import { createHash } from 'node:crypto';
import { isSha256Digest, type ImageReference } from '../docker/reference';
import type { RegistryCredentials } from '../docker/registry-credentials';
import { MANIFEST_MEDIA_TYPES, RegistryError, locateRepository, type Registry, type RegistryLocation } from './registry';
import { withRetries, type AttemptFailure, type RetryPolicy } from './retry';
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
  /** The HTTP client (default: Node's built-in fetch). */
  fetch?: typeof fetch;
}

/** Network error codes that mean "try again": the registry is restarting, overloaded or flaky. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A small Docker Registry HTTP API v2 client: HEAD on a manifest with the Docker v2, manifest-list
 * and OCI Accept types, answering the registry's challenge with Basic auth or a Bearer token from
 * its token service. Connection failures, 5xx and 429 are retried with exponential backoff;
 * 401, 403 and 404 fail at once with a message that names the registry and the reason.
 */
export class HttpRegistryClient implements Registry {
  private readonly authorizations = new Map<string, string>();
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpRegistryOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
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
      const authorization = await this.authorize(location, response.headers.get('www-authenticate'), subject);
      this.authorizations.set(key, authorization);
      response = await this.request(location, url, 'HEAD', authorization);
    }
    if (response.status !== 200) throw this.statusError(location, subject, response.status, response.statusText);
    const header = response.headers.get('docker-content-digest')?.trim();
    if (header && isSha256Digest(header)) return header;
    // Some registries leave the header off a HEAD: the digest is then the hash of the exact bytes served.
    const get = await this.request(location, url, 'GET', this.authorizations.get(key));
    if (get.status !== 200) throw this.statusError(location, subject, get.status, get.statusText);
    const body = Buffer.from(await get.arrayBuffer());
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  /** Answers a 401 challenge: Basic with the connection's credentials, or a Bearer token from the realm. */
  private async authorize(location: RegistryLocation, header: string | null, subject: string): Promise<string> {
    const credentials = this.credentialsFor(location.registry);
    const challenges = parseWwwAuthenticate(header ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (bearer) {
      const tokenUrl = new URL(bearer.params['realm']);
      if (bearer.params['service']) tokenUrl.searchParams.set('service', bearer.params['service']);
      tokenUrl.searchParams.set('scope', bearer.params['scope'] ?? `repository:${location.repository}:pull`);
      const response = await this.request(location, tokenUrl.toString(), 'GET', basic);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw this.statusError(location, `a token for ${location.repository}`, response.status, response.statusText);
      }
      const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
      const token = typeof body.token === 'string' ? body.token : body.access_token;
      if (typeof token !== 'string' || token === '') {
        throw new RegistryError(location.registry, `Registry ${location.registry}'s token service answered without a token for ${location.repository}.`, false);
      }
      return `Bearer ${token}`;
    }
    if (challenges.some((c) => c.scheme === 'basic') && basic) return basic;
    throw this.statusError(location, subject, 401, 'Unauthorized');
  }

  private credentialsFor(registry: string): RegistryCredentials | undefined {
    return this.options.credentials?.find((c) => c.registry === registry);
  }

  private async request(location: RegistryLocation, url: string, method: 'HEAD' | 'GET', authorization?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
    if (authorization) headers['Authorization'] = authorization;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const task = this.options.retry.signal;
    const signal = task ? AbortSignal.any([task, timeout]) : timeout;
    try {
      return await this.fetch(url, { method, headers, signal, redirect: 'follow' });
    } catch (err) {
      if (task?.aborted) throw task.reason instanceof Error ? task.reason : err;
      throw networkError(location.registry, err, timeout.aborted);
    }
  }

  /** The one-sentence error for an HTTP status; 429 and 5xx are transient. */
  private statusError(location: RegistryLocation, subject: string, status: number, statusText: string): RegistryError {
    const { registry } = location;
    const code = `${status}${statusText ? ` ${statusText}` : ''}`;
    const credentials = this.credentialsFor(registry);
    switch (status) {
      case 401:
        return new RegistryError(registry, credentials
          ? `Registry ${registry} rejected the credentials of '${credentials.username}' for ${subject} (${code}).`
          : `Registry ${registry} requires credentials for ${subject} (${code}): set containerRegistry to a service connection for ${registry}.`, false, status);
      case 403:
        return new RegistryError(registry, `Registry ${registry} denied access to ${subject} (${code})${credentials ? ` for '${credentials.username}'` : ''}.`, false, status);
      case 404:
        return new RegistryError(registry, `Registry ${registry} has no manifest for ${subject} (${code}).`, false, status);
      default:
        return new RegistryError(registry, `Registry ${registry} answered ${code} for ${subject}.`, status === 429 || status >= 500, status);
    }
  }
}

/** Turns a fetch failure into a RegistryError: refused, reset and timed-out connections are transient. */
function networkError(registry: string, err: unknown, timedOut: boolean): RegistryError {
  if (timedOut) return new RegistryError(registry, `Registry ${registry} did not answer in time.`, true);
  const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ECONNRESET' ? 'connection reset' : code === 'ENOTFOUND' ? 'host not found' : (cause?.message ?? (err as Error).message);
  return new RegistryError(registry, `Registry ${registry} cannot be reached: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}.`, code !== undefined && TRANSIENT_CODES.has(code));
}

function classifyFailure(err: unknown): AttemptFailure {
  if (err instanceof RegistryError) return { transient: err.transient, reason: err.message.replace(/^Registry \S+ /, '').replace(/\.$/, '') };
  return { transient: false, reason: String(err) };
}
