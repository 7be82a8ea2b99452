/**
 * Kubernetes name rules: DNS-1123 labels (63 characters: a-z, 0-9, '-'), DNS-1035 labels (the
 * same, starting with a letter: Service names), port names (IANA service names, 15 characters).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Lower-cases a compose name and turns '_' and '.' into '-' (how compose names usually become Kubernetes names). */
export function toKubernetesName(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}

/** Why `name` is not a DNS-1123 label (or a DNS-1035 label when `startWithLetter`); undefined when it is one. */
export function dnsLabelProblem(name: string, options: { maxLength?: number; startWithLetter?: boolean } = {}): string | undefined {
  const max = options.maxLength ?? 63;
  if (name.length === 0) return 'it is empty';
  if (name.length > max) return `it is ${name.length} characters long, more than ${max}`;
  if (options.startWithLetter && !/^[a-z]/.test(name)) return 'it must start with a letter';
  if (!(options.startWithLetter ? DNS1035_LABEL : DNS1123_LABEL).test(name))
    return "it may hold only a-z, 0-9 and '-', and must start and end with a letter or digit";
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (the name of most objects, a RuntimeClass's too); undefined when it is one. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 253) return 'it must be 1 to 253 characters long';
  if (!DNS1123_SUBDOMAIN.test(name)) return "it may hold only a-z, 0-9, '-' and '.', each part starting and ending with a letter or digit";
  return undefined;
}

/** Why `name` is not a valid port name (IANA_SVC_NAME); undefined when it is one. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `it is ${name.length} characters long, more than 15`;
  if (!PORT_NAME.test(name)) return "it may hold only a-z, 0-9 and '-', and must start and end with a letter or digit";
  if (name.includes('--')) return "it may not hold '--'";
  if (!/[a-z]/.test(name)) return 'it must hold at least one letter';
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label or annotation key (`[prefix/]name`); undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return `its prefix '${prefix}' is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63) return 'its name part must be 1 to 63 characters';
  if (!QUALIFIED_NAME.test(name))
    return "its name part may hold only letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return undefined;
}

/** Why `value` is not a valid label value; undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `it is ${value.length} characters long, more than 63`;
  if (!QUALIFIED_NAME.test(value)) return "it may hold only letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return undefined;
}
