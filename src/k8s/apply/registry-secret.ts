import type { RegistryCredentials } from '../../docker/registry-credentials';
import type { KubernetesObject } from '../objects';

/** The key Docker Hub credentials go under in a docker config. */
const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** The `.dockerconfigjson` payload for one registry (holds the password: a secret). Pure. */
export function dockerConfigJson(credentials: RegistryCredentials): string {
  const key = credentials.registry === 'docker.io' ? DOCKER_HUB_AUTH_KEY : credentials.registry;
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [key]: { username: credentials.username, password: credentials.password, auth } } });
}

/**
 * A `kubernetes.io/dockerconfigjson` Secret for one registry, applied declaratively with the rest of
 * the app (never delete-then-create; the password travels in the manifest on kubectl's stdin).
 */
export function registrySecretObject(name: string, credentials: RegistryCredentials, labels: Record<string, string>): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { ...labels } },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(credentials)).toString('base64') },
  };
}

/** The secret values a registry Secret carries in any encoding, to mask in the log. */
export function registrySecretValues(credentials: RegistryCredentials): string[] {
  const json = dockerConfigJson(credentials);
  return [
    credentials.password,
    Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
    Buffer.from(json).toString('base64'),
  ];
}
