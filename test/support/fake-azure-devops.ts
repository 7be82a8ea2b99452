import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake Azure DevOps server holds: per build id, artifacts by name as zip bytes. */
export interface FakeAzureDevOpsOptions {
  /** The collection's path, e.g. `/contoso/`. */
  collectionPath: string;
  project: string;
  token: string;
  artifacts: Record<number, Record<string, Buffer>>;
}

/** A running fake, and every request it saw (`METHOD path`, Authorization header). */
export interface FakeAzureDevOps {
  collectionUri: string;
  requests: Array<{ method: string; url: string; authorization?: string }>;
  close(): Promise<void>;
}

const LOCATIONS: Record<string, unknown[]> = {
  build: [
    {
      id: '1db06c96-014e-44e1-ac91-90b2d4b3e984',
      area: 'build',
      resourceName: 'artifacts',
      routeTemplate: '{project}/_apis/build/builds/{buildId}/{resource}',
      resourceVersion: 5,
      minVersion: '2.0',
      maxVersion: '7.2',
      releasedVersion: '7.1',
    },
  ],
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Serves the part of the Azure DevOps REST API that azure-devops-node-api uses to download a build
 * artifact as a zip: the build area's resource locations (OPTIONS) and
 * `GET {project}/_apis/build/builds/{id}/artifacts?artifactName=…` with a bearer token. 127.0.0.1 only.
 */
export async function startFakeAzureDevOps(options: FakeAzureDevOpsOptions): Promise<FakeAzureDevOps> {
  const requests: FakeAzureDevOps['requests'] = [];
  const base = options.collectionPath.replace(/\/?$/, '/');
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', url: url.pathname + url.search, authorization: req.headers.authorization });
    if (!url.pathname.startsWith(base)) return json(res, 404, { message: 'no such collection' });
    const rest = url.pathname.slice(base.length);
    if (req.method === 'OPTIONS' && rest.startsWith('_apis/')) {
      const area = rest.slice('_apis/'.length).toLowerCase();
      return json(res, 200, { count: (LOCATIONS[area] ?? []).length, value: LOCATIONS[area] ?? [] });
    }
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return json(res, 401, { message: 'TF400813: The user is not authorized to access this resource.' });
    const m = /^([^/]+)\/_apis\/build\/builds\/(\d+)\/artifacts$/.exec(rest);
    if (req.method === 'GET' && m && decodeURIComponent(m[1]) === options.project) {
      const zip = options.artifacts[Number(m[2])]?.[url.searchParams.get('artifactName') ?? ''];
      if (!zip) return json(res, 404, { message: `Artifact not found for build ${m[2]}.` });
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.length });
      res.end(zip);
      return;
    }
    json(res, 404, { message: `no route for ${req.method} ${url.pathname}` });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    collectionUri: `http://127.0.0.1:${port}${base}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
