import { isAbsolute, resolve } from 'node:path';
import { isMapping, setKey } from './paths';

/**
 * Makes the relative paths of one compose document absolute, from `baseDir` (the project directory
 * for the files named on the command line; the file's own folder for `extends` and `include`), so
 * that documents from different folders can be merged.
 */

function absolute(path: string, baseDir: string): string {
  return path.startsWith('~') || isAbsolute(path) ? path : resolve(baseDir, path);
}

function rebaseVolume(entry: unknown, baseDir: string): unknown {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (
      parts.length >= 2 &&
      (parts[0].startsWith('.') || (parts[0].includes('/') && !parts[0].startsWith('/') && !parts[0].startsWith('~')))
    ) {
      parts[0] = absolute(parts[0], baseDir);
      return parts.join(':');
    }
    return entry;
  }
  if (isMapping(entry) && entry['type'] === 'bind' && typeof entry['source'] === 'string')
    return { ...entry, source: absolute(entry['source'], baseDir) };
  return entry;
}

function rebaseEnvFile(entry: unknown, baseDir: string): unknown {
  if (typeof entry === 'string') return absolute(entry, baseDir);
  if (isMapping(entry) && typeof entry['path'] === 'string') return { ...entry, path: absolute(entry['path'], baseDir) };
  return entry;
}

/** Rebases one service mapping (a copy; the input is not changed). */
function rebaseService(service: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = { ...service };
  const envFile = out['env_file'];
  if (envFile !== undefined && envFile !== null)
    out['env_file'] = Array.isArray(envFile) ? envFile.map((e) => rebaseEnvFile(e, baseDir)) : rebaseEnvFile(envFile, baseDir);
  const labelFile = out['label_file'];
  if (typeof labelFile === 'string') out['label_file'] = absolute(labelFile, baseDir);
  else if (Array.isArray(labelFile)) out['label_file'] = labelFile.map((f) => (typeof f === 'string' ? absolute(f, baseDir) : f));
  if (Array.isArray(out['volumes'])) out['volumes'] = out['volumes'].map((v) => rebaseVolume(v, baseDir));
  const build = out['build'];
  if (typeof build === 'string' && !/^[a-z]+:\/\//.test(build)) out['build'] = absolute(build, baseDir);
  else if (isMapping(build) && typeof build['context'] === 'string' && !/^[a-z]+:\/\//.test(build['context']))
    out['build'] = { ...build, context: absolute(build['context'], baseDir) };
  const ext = out['extends'];
  if (isMapping(ext) && typeof ext['file'] === 'string') out['extends'] = { ...ext, file: absolute(ext['file'], baseDir) };
  return out;
}

/** Rebases a whole document (services, secrets and configs files, includes). */
export function rebaseDocument(doc: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = { ...doc };
  if (isMapping(out['services'])) {
    const services: Record<string, unknown> = {};
    for (const [name, service] of Object.entries(out['services'])) {
      setKey(services, name, isMapping(service) ? rebaseService(service, baseDir) : service);
    }
    out['services'] = services;
  }
  for (const section of ['secrets', 'configs']) {
    const items = out[section];
    if (!isMapping(items)) continue;
    const rebased: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(items)) {
      const value = isMapping(item) && typeof item['file'] === 'string' ? { ...item, file: absolute(item['file'], baseDir) } : item;
      setKey(rebased, name, value);
    }
    out[section] = rebased;
  }
  return out;
}
