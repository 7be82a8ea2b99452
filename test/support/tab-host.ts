import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

/** One attachment of a run, as a task attached it. */
export interface HostedAttachment {
  name: string;
  text: string;
}

/** What the test host serves for one build id: its records, or a REST failure. */
export type HostedRun = { attachments: HostedAttachment[] } | { failure: { status: number; message: string } };

/** A running test host: the host page, the tab from the .vsix, and the Build REST calls. */
export interface TabHost {
  url: string;
  /** Every REST request, `METHOD path` with the api-version it asked for. */
  requests: Array<{ path: string; accept: string; authorization: string }>;
  close(): Promise<void>;
}

const TOKEN = 'test-host-token';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};
const HOST_DIR = join(__dirname, 'tab-host');

/** The timeline record id of the n-th attachment (each step has its own record). */
function recordId(n: number): string {
  return `00000000-0000-4000-8000-${String(n + 1).padStart(12, '0')}`;
}
const TIMELINE_ID = '11111111-2222-4333-8444-555555555555';

/**
 * Starts the test host on 127.0.0.1: `/host.html?build=N&theme=light|dark` frames the tab
 * (`/tab/…`, served from `tabDir`) and answers its SDK calls; `/tfs/…` answers the Build REST
 * client's attachment calls for the runs given, as the service does (a bare array when the client
 * asks for noArrayWrap; the bearer token the host handed out is required).
 */
export async function startTabHost(tabDir: string, runs: Record<number, HostedRun>): Promise<TabHost> {
  const requests: TabHost['requests'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      const send = (status: number, body: string | Buffer, type = 'application/json'): void => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (path.startsWith('/tfs/')) {
        requests.push({
          path: `${req.method} ${path}`,
          accept: String(req.headers['accept'] ?? ''),
          authorization: String(req.headers['authorization'] ?? ''),
        });
        if (req.headers['authorization'] !== `Bearer ${TOKEN}`) return send(401, JSON.stringify({ message: 'No token.' }));
        const list = /^\/tfs\/([^/]+)\/_apis\/build\/builds\/(\d+)\/attachments\/([^/]+)$/.exec(path);
        const one = /^\/tfs\/([^/]+)\/_apis\/build\/builds\/(\d+)\/([^/]+)\/([^/]+)\/attachments\/([^/]+)\/([^/]+)$/.exec(path);
        const run = runs[Number((list ?? one)?.[2])];
        if (!run) return send(404, JSON.stringify({ message: `No build ${(list ?? one)?.[2]}.` }));
        if ('failure' in run)
          return send(run.failure.status, JSON.stringify({ $id: '1', message: run.failure.message, typeKey: 'BuildNotFoundException' }));
        if (list) {
          const value =
            list[3] !== 'outerloop.result'
              ? []
              : run.attachments.map((a, i) => ({
                  name: a.name,
                  _links: {
                    self: {
                      href: `${host.url}/tfs/${list[1]}/_apis/build/builds/${list[2]}/${TIMELINE_ID}/${recordId(i)}/attachments/outerloop.result/${encodeURIComponent(a.name)}`,
                    },
                  },
                }));
          const noArrayWrap = /noArrayWrap=true/i.test(String(req.headers['accept']));
          return send(200, JSON.stringify(noArrayWrap ? value : { count: value.length, value }));
        }
        if (one) {
          const index = run.attachments.findIndex((a, i) => recordId(i) === one[4] && a.name === one[6]);
          if (one[3] !== TIMELINE_ID || one[5] !== 'outerloop.result' || index < 0)
            return send(404, JSON.stringify({ message: 'No such attachment.' }));
          return send(200, Buffer.from(run.attachments[index].text), 'application/octet-stream');
        }
        return send(404, JSON.stringify({ message: `No route ${path}.` }));
      }
      const [dir, rest] = path.startsWith('/tab/') ? [tabDir, path.slice(5)] : [HOST_DIR, path.slice(1)];
      const file = normalize(join(dir, rest));
      if (!file.startsWith(dir) || !TYPES[extname(file)]) return send(404, 'not found', 'text/plain');
      try {
        send(200, await readFile(file), TYPES[extname(file)]);
      } catch {
        send(404, 'not found', 'text/plain');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host: TabHost = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return host;
}
