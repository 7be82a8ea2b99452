import { isMapping, setKey, type KeyPath } from './paths';
import { ComposeTag } from './yaml';

/**
 * Merging compose documents by the Compose Specification's rules: mappings by key, sequences
 * appended, `command`, `entrypoint` and `healthcheck.test` replaced, `ports`, `volumes`, `secrets`
 * and `configs` merged by their keys, list-or-mapping keys (environment, labels, …) merged as
 * mappings, `!reset` removes a value and `!override` replaces it whole.
 */

/** Service keys written as `KEY=VALUE` lists or mappings: merged as mappings. */
const MAPPING_LISTS = new Set([
  'environment',
  'labels',
  'annotations',
  'sysctls',
  'build.args',
  'build.labels',
  'deploy.labels',
  'networks',
  'depends_on',
  'extra_hosts',
]);
/** Service keys whose sequences replace each other. */
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test', 'build.entitlements']);

function splitPair(item: string, separators: RegExp): [string, string | null] {
  const m = separators.exec(item);
  return m ? [item.slice(0, m.index), item.slice(m.index + 1)] : [item, null];
}

/** Turns a list form (`KEY=VALUE`, `name`) of a mapping-list key into its mapping. */
export function listToMapping(key: string, list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (key === 'depends_on') setKey(out, String(item), { condition: 'service_started', required: true });
    else if (key === 'networks') setKey(out, String(item), null);
    else if (key === 'extra_hosts') {
      const [host, ip] = splitPair(String(item), /[=:]/);
      const existing = out[host];
      setKey(out, host, existing === undefined ? ip : ([] as unknown[]).concat(existing, ip));
    } else {
      const [name, value] = splitPair(String(item), /=/);
      setKey(out, name, value);
    }
  }
  return out;
}

function uniqueKey(key: string, item: unknown): string {
  if (key === 'volumes') {
    if (typeof item === 'string') {
      const parts = item.split(':');
      return parts.length === 1 ? parts[0] : parts[1];
    }
    return String((item as { target?: unknown }).target);
  }
  if (key === 'secrets' || key === 'configs') {
    const source = typeof item === 'string' ? item : String((item as { source?: unknown }).source);
    const target = typeof item === 'string' ? undefined : (item as { target?: unknown }).target;
    return target === undefined ? source : String(target);
  }
  return JSON.stringify(item);
}

function servicePattern(path: KeyPath): string | undefined {
  if (path[0] !== 'services' || path.length < 3) return undefined;
  return path
    .slice(2)
    .filter((p) => typeof p === 'string')
    .join('.');
}

/**
 * Removes the compose tags from a value: `!reset` entries disappear, `!override` values are
 * unwrapped. A value without tags is returned as it is (not copied).
 */
export function stripTags(value: unknown): unknown {
  if (value instanceof ComposeTag) return value.tag === 'reset' ? undefined : stripTags(value.value);
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of value) {
      if (item instanceof ComposeTag && item.tag === 'reset') {
        changed = true;
        continue;
      }
      const stripped = stripTags(item);
      if (stripped !== item) changed = true;
      out.push(stripped);
    }
    return changed ? out : value;
  }
  if (isMapping(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item instanceof ComposeTag && item.tag === 'reset') {
        changed = true;
        continue;
      }
      const stripped = stripTags(item);
      if (stripped !== item) changed = true;
      setKey(out, key, stripped);
    }
    return changed ? out : value;
  }
  return value;
}

function asMapping(pattern: string | undefined, value: unknown): unknown {
  if (pattern !== undefined && MAPPING_LISTS.has(pattern) && Array.isArray(value)) return listToMapping(pattern, value);
  return value;
}

/** Merges `override` onto `base` (both plain documents; `base` is not changed). */
export function mergeValues(base: unknown, override: unknown, path: KeyPath = []): unknown {
  if (override instanceof ComposeTag) return override.tag === 'reset' ? undefined : stripTags(override.value);
  if (base === undefined) return stripTags(override);
  const pattern = servicePattern(path);
  const b = asMapping(pattern, base);
  const o = asMapping(pattern, override);
  if (isMapping(b) && isMapping(o)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(b)) setKey(out, key, value);
    for (const [key, value] of Object.entries(o)) {
      const merged = mergeValues(out[key] === undefined || !Object.prototype.hasOwnProperty.call(out, key) ? undefined : out[key], value, [
        ...path,
        key,
      ]);
      if (merged === undefined && value instanceof ComposeTag) delete out[key];
      else setKey(out, key, merged);
    }
    return out;
  }
  if (Array.isArray(b) && Array.isArray(o)) {
    if (pattern !== undefined && REPLACED.has(pattern)) return stripTags(o);
    const last = path[path.length - 1];
    if (pattern !== undefined && typeof last === 'string' && ['ports', 'volumes', 'secrets', 'configs'].includes(pattern)) {
      const out = [...b];
      const index = new Map(out.map((item, i) => [uniqueKey(last, item), i]));
      for (const item of stripTags(o) as unknown[]) {
        const key = uniqueKey(last, item);
        const at = index.get(key);
        if (at === undefined) {
          index.set(key, out.length);
          out.push(item);
        } else out[at] = item;
      }
      return out;
    }
    return [...b, ...(stripTags(o) as unknown[])];
  }
  return stripTags(o);
}
