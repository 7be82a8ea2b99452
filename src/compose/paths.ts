/** A path to a value inside a compose document: mapping keys and list indexes. */
export type KeyPath = ReadonlyArray<string | number>;

/** Formats a key path as users read it: `services.web.ports[0]`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** True for a plain mapping (not a list, not null, not a tagged value). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Sets an own key, even `__proto__`, without touching the prototype. */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty only where it is needed: it turns objects into slow dictionaries.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
