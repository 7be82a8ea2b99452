import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One HTTP request as the registry client needs it. */
export interface HttpRequest {
  method: 'HEAD' | 'GET';
  url: string;
  headers: Record<string, string>;
  /** The whole request, redirects included, fails with code ETIMEDOUT after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A response with its whole body (manifests and tokens are small). */
export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The HTTP port of the registry client. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

const MAX_REDIRECTS = 5;
// Keep-alive agents: the challenge, token and manifest requests share a connection, and idle sockets
// are unref'd by Node, so they never keep the task's process alive after its work is done.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Node's own http/https (already loaded; no fetch/undici start-up cost): follows redirects,
 * answers with the body, and fails with the socket's error code (ECONNREFUSED, ECONNRESET, …).
 */
export const nodeHttpTransport: HttpTransport = (req) => {
  const deadline = Date.now() + req.timeoutMs;
  const send = (url: string, redirects: number, headers: Record<string, string>): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = new URL(url);
      const https = target.protocol === 'https:';
      const request = (https ? httpsRequest : httpRequest)(target, {
        method: req.method,
        headers,
        agent: https ? agents.https : agents.http,
        signal: req.signal,
        timeout: Math.max(1, deadline - Date.now()),
      });
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
      );
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const location = response.headers.location;
          if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
            const next = new URL(location, target);
            // Credentials go to the registry only, never to another host it redirects to (a CDN).
            const { Authorization: _dropped, ...anonymous } = headers;
            resolve(send(next.toString(), redirects + 1, next.origin === target.origin ? headers : anonymous));
            return;
          }
          resolve({ status, statusText: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks) });
        });
      });
      request.end();
    });
  return send(req.url, 0, req.headers);
};
