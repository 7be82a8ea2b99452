import { accessSync, constants } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, ToolError } from '../common/errors';
import { withTempDir } from '../common/fs';
import type { ServiceEndpoint } from '../pipeline/interfaces';

/**
 * Which Docker engine ComposeDeploy@1 talks to, and the environment that reaches it: a Docker host
 * service connection (TLS client certificates), an SSH service connection, or the agent's own
 * engine. Certificates and keys are written to a private temporary folder that is removed on every
 * path, and reach docker through environment variables and files only, never argv.
 */

/** The engine deployed to. */
export type DockerHostTarget =
  | { kind: 'local' }
  | { kind: 'tls'; input: string; connection: string; host: string; ca: string; cert: string; key: string }
  | { kind: 'ssh'; input: string; connection: string; user: string; host: string; port: number; privateKey?: string };

/** `tcp://host:2376`, `ssh://user@host:22` or `the agent's engine`: for messages and the record. */
export function describeTarget(target: DockerHostTarget): string {
  switch (target.kind) {
    case 'local':
      return "the agent's engine";
    case 'tls':
      return target.host;
    case 'ssh':
      return sshUrl(target);
  }
}

/**
 * The secrets of a target, for setSecret before anything is logged: each line of the private key
 * (the agent masks single lines only), but not its `-----BEGIN/END …-----` lines, which are no secret.
 */
export function targetSecrets(target: DockerHostTarget): string[] {
  const key = target.kind === 'tls' ? target.key : target.kind === 'ssh' ? target.privateKey : undefined;
  return (key ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(l));
}

function sshUrl(t: { user: string; host: string; port: number }): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user}@${host}${t.port === 22 ? '' : `:${t.port}`}`;
}

/** A `dockerhost` service connection: its URL and the `cacert`, `cert` and `key` authorization parameters. */
export function readDockerHostConnection(input: string, endpoint: ServiceEndpoint): DockerHostTarget {
  const url = endpoint.url.trim().replace(/\/+$/, '');
  const m = /^(?:tcp|https):\/\/([^/\s]+)$/i.exec(url);
  if (!m)
    throw new InputError(
      input,
      `names service connection '${endpoint.id}', whose server URL must be tcp://host:port (the engine's TLS listener), not '${url}'.`,
    );
  const missing = ['cacert', 'cert', 'key'].filter((k) => !endpoint.auth[k]?.trim());
  if (missing.length > 0) {
    throw new InputError(
      input,
      `names service connection '${endpoint.id}', which lacks ${missing.join(', ')}: a Docker host connection needs the CA certificate, the client certificate and its key.`,
    );
  }
  return {
    kind: 'tls',
    input,
    connection: endpoint.id,
    host: `tcp://${m[1]}`,
    ca: endpoint.auth['cacert'],
    cert: endpoint.auth['cert'],
    key: endpoint.auth['key'],
  };
}

/** An `ssh` service connection: host and port (data or URL), user, and the private key (data `privatekey`). */
export function readSshConnection(input: string, endpoint: ServiceEndpoint): DockerHostTarget {
  let fromUrl: URL | undefined;
  try {
    fromUrl = endpoint.url ? new URL(endpoint.url.includes('://') ? endpoint.url : `ssh://${endpoint.url}`) : undefined;
  } catch {
    fromUrl = undefined;
  }
  const host = (endpoint.data['host'] || fromUrl?.hostname || '').replace(/^\[|\]$/g, '');
  const portText = endpoint.data['port'] || fromUrl?.port || '22';
  const user = endpoint.auth['username'] || fromUrl?.username || '';
  const privateKey = endpoint.data['privatekey'] || endpoint.auth['privatekey'] || undefined;
  const where = `names service connection '${endpoint.id}'`;
  if (!host || !/^[A-Za-z0-9.:_-]+$/.test(host)) throw new InputError(input, `${where}, which has no valid host name.`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
    throw new InputError(input, `${where}, whose port must be 1 to 65535, not '${portText}'.`);
  if (!user || !/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user)) throw new InputError(input, `${where}, which has no valid user name.`);
  if (privateKey && endpoint.auth['password']) {
    throw new InputError(
      input,
      `${where}, whose private key has a passphrase: docker's SSH transport cannot type it; use a key without a passphrase, kept only in the service connection.`,
    );
  }
  if (!privateKey && endpoint.auth['password']) {
    throw new InputError(
      input,
      `${where}, which signs in with a password: docker's SSH transport signs in with a key; add the private key to the connection.`,
    );
  }
  return {
    kind: 'ssh',
    input,
    connection: endpoint.id,
    user,
    host,
    port: Number(portText),
    privateKey: privateKey ? `${privateKey.trim()}\n` : undefined,
  };
}

/** The first executable `name` in the folders of `path`, or undefined. */
function locateOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(':')) {
    if (!dir.startsWith('/')) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Single-quotes a value for the POSIX shell script the SSH wrapper is (our own paths only, never an input). */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `body` with the environment that reaches the target's engine: DOCKER_HOST plus, for TLS,
 * DOCKER_TLS_VERIFY and a DOCKER_CERT_PATH holding ca.pem, cert.pem and key.pem (0600); for SSH, a
 * PATH whose first `ssh` runs the system's with a private configuration (the key in a 0600 file,
 * BatchMode, a known-hosts file of its own). Everything is under one private folder in `tempRoot`,
 * removed afterwards whatever happens.
 */
export async function withDockerHost<T>(
  target: DockerHostTarget,
  options: { tempRoot: string; baseEnv: NodeJS.ProcessEnv; ssh?: string },
  body: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const base = { ...options.baseEnv };
  for (const name of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT']) delete base[name];
  if (target.kind === 'local') return body(options.baseEnv);
  return withTempDir(options.tempRoot, 'outerloop-host-', async (dir) => {
    if (target.kind === 'tls') {
      for (const [file, text] of [
        ['ca.pem', target.ca],
        ['cert.pem', target.cert],
        ['key.pem', target.key],
      ] as const) {
        await writeFile(join(dir, file), text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
      }
      // Compose v1 talks TLS through Python's requests, which lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE
      // (the agent's web CAs) replace the host's CA: the connection's CA must be the only one used.
      const { REQUESTS_CA_BUNDLE: _requests, CURL_CA_BUNDLE: _curl, ...rest } = base;
      return body({ ...rest, DOCKER_HOST: target.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    }
    const config = [
      'Host *',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '  StrictHostKeyChecking accept-new',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      ...(target.privateKey ? [`  IdentityFile ${join(dir, 'id_key')}`, '  IdentitiesOnly yes'] : []),
      '',
    ].join('\n');
    if (target.privateKey) await writeFile(join(dir, 'id_key'), target.privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'ssh_config'), config, { mode: 0o600 });
    const wrapper = join(dir, 'ssh');
    const ssh = options.ssh ?? locateOnPath('ssh', base['PATH']);
    if (!ssh)
      throw new ToolError(
        'ssh',
        `'ssh' was not found on PATH: docker reaches an ssh:// host (input '${target.input}') through the OpenSSH client; install it on the agent.`,
      );
    await writeFile(wrapper, `#!/bin/sh\nexec ${shellQuote(ssh)} -F ${shellQuote(join(dir, 'ssh_config'))} "$@"\n`, { mode: 0o700 });
    await chmod(wrapper, 0o700);
    const path = [dir, base['PATH'] ?? ''].filter(Boolean).join(':');
    return body({ ...base, PATH: path, DOCKER_HOST: sshUrl(target) });
  });
}
