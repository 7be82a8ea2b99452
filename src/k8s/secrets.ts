import type { KubernetesObject } from './objects';

/**
 * Compose secrets' contents never leave in the clear: the converter's Secret objects are kept out
 * of every manifests file, artifact and log, and applied only on kubectl's stdin. These helpers
 * find them and the values to mask.
 */

/** The rendered objects split into the Secrets (which hold compose secrets' contents) and the others, order kept. */
export function splitSecrets(objects: readonly KubernetesObject[]): { secrets: KubernetesObject[]; others: KubernetesObject[] } {
  const secrets: KubernetesObject[] = [];
  const others: KubernetesObject[] = [];
  for (const o of objects) (o.kind === 'Secret' ? secrets : others).push(o);
  return { secrets, others };
}

/**
 * The values to mask in the log for these Secrets: each value as stored (base64), decoded, and each
 * decoded line of four characters or more (the agent masks line by line).
 */
export function secretValues(secrets: readonly KubernetesObject[]): string[] {
  const values = new Set<string>();
  for (const secret of secrets) {
    const data = { ...((secret['data'] as Record<string, string> | undefined) ?? {}) };
    for (const [key, value] of Object.entries((secret['stringData'] as Record<string, string> | undefined) ?? {}))
      data[key] = Buffer.from(value).toString('base64');
    for (const encoded of Object.values(data)) {
      if (encoded) values.add(encoded);
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      if (decoded.trim()) values.add(decoded.trim());
      for (const line of decoded.split(/\r?\n/)) if (line.trim().length >= 4) values.add(line.trim());
    }
  }
  return [...values].sort();
}
