import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { FileError, InputError } from '../../common/errors';
import { withTempDir } from '../../common/fs';
import type { ServiceEndpoint } from '../../pipeline/interfaces';

/**
 * Where kubectl's credentials come from: a `kubernetes` service connection (its kubeconfig form or
 * its service-account token + CA form) or a kubeconfig file on the agent.
 */
export type ClusterAccess =
  | { kind: 'kubeconfig'; /** The kubeconfig's YAML (a secret). */ content: string; context?: string; source: string }
  | {
      kind: 'token';
      server: string;
      /** The bearer token (a secret). */ token: string;
      /** Base64 PEM. */ caData?: string;
      insecure: boolean;
      source: string;
    }
  | { kind: 'file'; path: string; source: string };

/**
 * Reads a `kubernetes` service connection. `input` names the task input for errors. The
 * service-account form carries the token as the secret's base64 `data.token` (the form Azure DevOps
 * stores); a raw JWT is accepted too.
 */
export function readKubernetesConnection(input: string, endpoint: ServiceEndpoint): ClusterAccess {
  const type = (endpoint.data['authorizationtype'] ?? '').toLowerCase();
  const auth = endpoint.auth;
  const source = `service connection '${endpoint.id}'`;
  if (auth['kubeconfig']) {
    return { kind: 'kubeconfig', content: auth['kubeconfig'], context: auth['clustercontext'] || undefined, source };
  }
  if (auth['apitoken']) {
    if (!endpoint.url) throw new InputError(input, `names service connection '${endpoint.id}', which has no server URL.`);
    const insecure = (endpoint.data['acceptuntrustedcerts'] ?? '').toLowerCase() === 'true';
    const ca = auth['serviceaccountcertificate'];
    return {
      kind: 'token',
      server: endpoint.url,
      token: decodeServiceAccountToken(auth['apitoken']),
      caData: ca ? encodeCertificate(ca) : undefined,
      insecure,
      source,
    };
  }
  const form = type || endpoint.scheme || 'unknown';
  throw new InputError(
    input,
    `names service connection '${endpoint.id}' (${form}), which has neither a kubeconfig nor a service-account token; use the Kubeconfig or Service Account form.`,
  );
}

/** The service account token: Azure DevOps stores the secret's base64 `data.token`; a raw JWT passes as is. */
export function decodeServiceAccountToken(value: string): string {
  const trimmed = value.trim();
  if (/^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(trimmed)) return trimmed;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  return decoded || trimmed;
}

/** A CA certificate as kubeconfig's `certificate-authority-data`: base64 of the PEM (a PEM is encoded). */
export function encodeCertificate(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('-----BEGIN') ? Buffer.from(trimmed + '\n').toString('base64') : trimmed.replace(/\s+/g, '');
}

/** A kubeconfig for a server, a bearer token and a CA. Pure. */
export function formatTokenKubeconfig(access: { server: string; token: string; caData?: string; insecure: boolean }): string {
  const cluster: Record<string, unknown> = { server: access.server };
  if (access.caData) cluster['certificate-authority-data'] = access.caData;
  else if (access.insecure) cluster['insecure-skip-tls-verify'] = true;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'outerloop', cluster }],
    users: [{ name: 'outerloop', user: { token: access.token } }],
    contexts: [{ name: 'outerloop', context: { cluster: 'outerloop', user: 'outerloop' } }],
    'current-context': 'outerloop',
  });
}

interface KubeconfigDocument {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { namespace?: string; cluster?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
}

/** What a kubeconfig says about its (current or named) context: its namespace and server. Pure. */
export function describeKubeconfig(content: string, context: string | undefined, source: string): { namespace?: string; server?: string } {
  let doc: KubeconfigDocument;
  try {
    doc = (load(content) ?? {}) as KubeconfigDocument;
  } catch (err) {
    throw new FileError(source, `is not a valid kubeconfig (${(err as Error).message.split('\n')[0]}).`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FileError(source, 'is not a valid kubeconfig (not a YAML mapping).');
  const name = context ?? doc['current-context'];
  const entry = (doc.contexts ?? []).find((c) => c?.name === name);
  if (context !== undefined && !entry) throw new FileError(source, `has no context named '${context}'.`);
  const server = (doc.clusters ?? []).find((c) => c?.name === entry?.context?.cluster)?.cluster?.server;
  return { namespace: entry?.context?.namespace || undefined, server };
}

/** The kubeconfig kubectl is given. */
export interface KubeconfigHandle {
  path: string;
  context?: string;
}

/** The secrets `access` carries, to register with the agent before anything runs. */
export function clusterSecrets(access: ClusterAccess): string[] {
  if (access.kind === 'token') return [access.token];
  if (access.kind === 'kubeconfig') return secretLinesOf(access.content);
  return [];
}

/** The namespace and server `access` points at (a kubeconfig's context's), read without writing anything. */
export async function describeClusterAccess(
  access: ClusterAccess,
  readFile: (path: string) => Promise<string>,
): Promise<{ namespace?: string; server?: string }> {
  if (access.kind === 'token') return { server: access.server };
  if (access.kind === 'kubeconfig') return describeKubeconfig(access.content, access.context, access.source);
  return describeKubeconfig(await readFile(access.path), undefined, access.path);
}

/**
 * Runs `body` with a kubeconfig for `access`. Credentials from a service connection are written to
 * a temporary file (mode 0600) under `tempRoot`, removed afterwards whatever happens (success,
 * failure, cancellation); a kubeconfig file of the user's is used in place and never touched. The
 * caller registers {@link clusterSecrets} with the agent first, before anything can print them.
 */
export async function withKubeconfig<T>(
  access: ClusterAccess,
  tempRoot: string,
  body: (handle: KubeconfigHandle) => Promise<T>,
): Promise<T> {
  if (access.kind === 'file') return body({ path: access.path });
  const content = access.kind === 'token' ? formatTokenKubeconfig(access) : access.content;
  return withTempDir(tempRoot, 'outerloop-kube-', async (dir) => {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, content, { mode: 0o600 });
    return body({ path, context: access.kind === 'kubeconfig' ? access.context : undefined });
  });
}

const SECRET_KEYS = new Set([
  'token',
  'client-key-data',
  'client-certificate-data',
  'password',
  'id-token',
  'refresh-token',
  'access-token',
  'client-secret',
]);
const SECRET_LINE =
  /^\s*-?\s*(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token|client-secret)\s*:\s*["']?([^"'\s]+)/;

function collectSecrets(node: unknown, into: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSecrets(item, into);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (SECRET_KEYS.has(key) && typeof value === 'string' && value !== '') into.push(value);
      else collectSecrets(value, into);
    }
  }
}

/** The secret values in a kubeconfig's users (tokens, keys, passwords), to mask in the log. */
export function secretLinesOf(content: string): string[] {
  const values: string[] = [];
  try {
    collectSecrets((load(content) as { users?: unknown } | null)?.users, values);
  } catch {
    // Not YAML: still mask what looks like a credential line; the parse error is reported later.
    for (const line of content.split(/\r?\n/)) {
      const m = SECRET_LINE.exec(line);
      if (m && m[2] !== '') values.push(m[2]);
    }
  }
  return values;
}
