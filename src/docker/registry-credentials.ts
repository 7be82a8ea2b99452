import { InputError } from '../common/errors';
import type { ServiceEndpoint } from '../pipeline/interfaces';

/** Credentials for one registry, from a Docker registry service connection. */
export interface RegistryCredentials {
  /** The registry host as it appears in image references: `contoso.azurecr.io`, `127.0.0.1:5001`, `docker.io`. */
  registry: string;
  username: string;
  password: string;
}

const DOCKER_HUB_HOSTS = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'docker.io']);

/** The registry host of a registry URL or bare host: scheme, path and Docker Hub's aliases normalized. */
export function registryHostOf(url: string): string {
  const trimmed = url.trim();
  const withoutScheme = trimmed.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = withoutScheme.split('/')[0].toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/**
 * Reads a `dockerregistry` service connection: the username/password form (Docker Hub, "Others")
 * and the Azure Container Registry service-principal form. `input` names the task input for errors.
 */
export function readRegistryCredentials(input: string, endpoint: ServiceEndpoint): RegistryCredentials {
  const auth = endpoint.auth;
  const username = auth['username'] ?? auth['serviceprincipalid'];
  const password = auth['password'] ?? auth['serviceprincipalkey'];
  const server = endpoint.data['loginserver'] || auth['registry'] || endpoint.url;
  if (!server) throw new InputError(input, `names service connection '${endpoint.id}', which has no registry URL.`);
  if (!username || !password) {
    throw new InputError(
      input,
      `names service connection '${endpoint.id}' (scheme ${endpoint.scheme || 'none'}), which has no username and password.`,
    );
  }
  return { registry: registryHostOf(server), username, password };
}
