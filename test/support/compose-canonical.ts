import type { ComposeProject, ComposeService } from '../../src/compose/model';

/**
 * One comparable shape for a service, from Compose v2's `config --format json` and from the
 * loader's model: what the converter reads, written the same way on both sides.
 */

/** A service as both sides are compared. */
export interface CanonicalService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string; args: Record<string, string | null> };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment: Record<string, string | null>;
  ports: string[];
  expose: string[];
  volumes: string[];
  healthcheck?: { test?: string[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
  dependsOn: Record<string, string>;
  restart?: string;
  replicas?: number;
  labels: Record<string, string>;
  profiles: string[];
  secrets: string[];
  configs: string[];
}

/** Top-level resources: the names each section holds. */
export interface CanonicalProject {
  services: Record<string, CanonicalService>;
  volumes: string[];
  secrets: string[];
  configs: string[];
}

type Json = Record<string, unknown>;

const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go duration (`1m30s`) in milliseconds. */
export function goDurationMs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) total += Number(m[1]) * UNITS[m[2]];
  return Math.round(total);
}

function expandRange(text: string): number[] {
  const [a, b] = text.split('-').map(Number);
  if (b === undefined) return [a];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function absoluteTarget(ref: Json, base: string): string {
  const t = typeof ref['target'] === 'string' && ref['target'] !== '' ? ref['target'] : String(ref['source']);
  return t.startsWith('/') ? t : `${base}${t}`;
}

/** Compose v2's service → the canonical shape. */
function fromComposeService(s: Json): CanonicalService {
  const build = s['build'] as Json | undefined;
  const health = s['healthcheck'] as Json | undefined;
  const out: CanonicalService = {
    environment: sortedRecord((s['environment'] as Record<string, string | null>) ?? {}),
    ports: ((s['ports'] as Json[]) ?? [])
      .map((p) => `${p['host_ip'] ?? ''}|${p['published'] ?? ''}|${p['target']}/${p['protocol'] ?? 'tcp'}`)
      .sort(),
    expose: ((s['expose'] as string[]) ?? [])
      .flatMap((e) => {
        const [range, protocol = 'tcp'] = String(e).split('/');
        return expandRange(range).map((port) => `${port}/${protocol}`);
      })
      .sort(),
    volumes: ((s['volumes'] as Json[]) ?? []).map(
      (v) => `${v['type']}|${v['source'] ?? ''}|${v['target']}|${v['read_only'] === true ? 'ro' : 'rw'}`,
    ),
    dependsOn: sortedRecord(
      Object.fromEntries(
        Object.entries((s['depends_on'] as Record<string, Json>) ?? {}).map(([k, d]) => [
          k,
          `${d['condition']}${d['required'] === false ? ' optional' : ''}`,
        ]),
      ),
    ),
    labels: sortedRecord((s['labels'] as Record<string, string>) ?? {}),
    profiles: [...((s['profiles'] as string[]) ?? [])].sort(),
    // A relative target (or none: the source's name) is under /run/secrets (a config's under /), where Compose mounts it.
    secrets: ((s['secrets'] as Json[]) ?? []).map((r) => `${r['source']}>${absoluteTarget(r, '/run/secrets/')}`),
    configs: ((s['configs'] as Json[]) ?? []).map((r) => `${r['source']}>${absoluteTarget(r, '/')}`),
  };
  if (typeof s['image'] === 'string') out.image = s['image'];
  if (build)
    out.build = {
      context: String(build['context']),
      dockerfile: String(build['dockerfile'] ?? 'Dockerfile'),
      ...(build['target'] ? { target: String(build['target']) } : {}),
      args: sortedRecord((build['args'] as Record<string, string | null>) ?? {}),
    };
  out.command = (s['command'] as string[] | null | undefined) ?? null;
  out.entrypoint = (s['entrypoint'] as string[] | null | undefined) ?? null;
  // `test: NONE` disables the image's healthcheck: the model has no healthcheck then.
  if (health && !health['disable'] && !(Array.isArray(health['test']) && health['test'][0] === 'NONE')) {
    out.healthcheck = {
      ...(health['test'] ? { test: health['test'] as string[] } : {}),
      ...(health['interval'] ? { interval: goDurationMs(String(health['interval'])) } : {}),
      ...(health['timeout'] ? { timeout: goDurationMs(String(health['timeout'])) } : {}),
      ...(health['retries'] !== undefined ? { retries: Number(health['retries']) } : {}),
      ...(health['start_period'] ? { startPeriod: goDurationMs(String(health['start_period'])) } : {}),
    };
  }
  if (typeof s['restart'] === 'string') out.restart = s['restart'];
  const replicas = (s['deploy'] as Json | undefined)?.['replicas'];
  if (typeof replicas === 'number') out.replicas = replicas;
  else if (typeof s['scale'] === 'number') out.replicas = s['scale'];
  return out;
}

/** The loader's service → the canonical shape. */
function fromModelService(s: ComposeService): CanonicalService {
  const environment: Record<string, string | null> = { ...s.envFileValues, ...s.environment };
  const out: CanonicalService = {
    environment: sortedRecord(environment),
    ports: s.ports.map((p) => `${p.hostIp ?? ''}|${p.published ?? ''}|${p.target}/${p.protocol}`).sort(),
    expose: s.expose.map((e) => `${e.port}/${e.protocol}`).sort(),
    volumes: s.mounts
      .filter((m) => m.origin?.key !== 'tmpfs')
      .map((m) => `${m.type}|${m.source ?? ''}|${m.target}|${m.readOnly ? 'ro' : 'rw'}`),
    dependsOn: sortedRecord(
      Object.fromEntries(Object.entries(s.dependsOn).map(([k, d]) => [k, `${d.condition}${d.required ? '' : ' optional'}`])),
    ),
    labels: sortedRecord(s.labels),
    profiles: [...s.profiles].sort(),
    secrets: s.secrets.map((r) => `${r.source}>${r.target}`),
    configs: s.configs.map((r) => `${r.source}>${r.target}`),
  };
  if (s.image !== undefined) out.image = s.image;
  if (s.build)
    out.build = {
      context: s.build.context,
      dockerfile: s.build.dockerfile ?? 'Dockerfile',
      ...(s.build.target ? { target: s.build.target } : {}),
      args: sortedRecord(s.build.args),
    };
  out.command = s.command ?? null;
  out.entrypoint = s.entrypoint ?? null;
  if (s.healthcheck && Object.keys(s.healthcheck).length > 0) {
    const h = s.healthcheck;
    out.healthcheck = {
      ...(h.test ? { test: h.test } : {}),
      ...(h.intervalMs !== undefined ? { interval: h.intervalMs } : {}),
      ...(h.timeoutMs !== undefined ? { timeout: h.timeoutMs } : {}),
      ...(h.retries !== undefined ? { retries: h.retries } : {}),
      ...(h.startPeriodMs !== undefined ? { startPeriod: h.startPeriodMs } : {}),
    };
  }
  if (s.restart !== undefined) out.restart = s.restart;
  const replicas = s.deploy?.replicas ?? s.scale;
  if (replicas !== undefined) out.replicas = replicas;
  return out;
}

/** `config` writes every `$` of a value as `$$` (so that its output loads again): the value itself has one. */
function unescapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\$/g, '$');
  if (Array.isArray(value)) return value.map(unescapeDollars);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeDollars(v)]));
  return value;
}

/**
 * The named volumes, secrets and configs the services use. Compose drops the unused ones of
 * services a profile disables; the model keeps every declaration (the converter makes objects
 * only of what an enabled service uses), so only the used ones are compared.
 */
function usedNames(services: Record<string, CanonicalService>): Pick<CanonicalProject, 'volumes' | 'secrets' | 'configs'> {
  const all = Object.values(services);
  const volumes = new Set(
    all.flatMap((s) => s.volumes.filter((v) => v.startsWith('volume|') && v.split('|')[1] !== '').map((v) => v.split('|')[1])),
  );
  const refs = (key: 'secrets' | 'configs'): string[] => [...new Set(all.flatMap((s) => s[key].map((r) => r.split('>')[0])))].sort();
  return { volumes: [...volumes].sort(), secrets: refs('secrets'), configs: refs('configs') };
}

/**
 * Build args without a value that the environment does not set: Compose leaves them out, the
 * model keeps them as null (the converter does not read build args).
 */
function withoutNullArgs(s: CanonicalService): CanonicalService {
  if (s.build) s.build.args = Object.fromEntries(Object.entries(s.build.args).filter(([, v]) => v !== null));
  return s;
}

/** Compose v2's project, keeping the services `keep` accepts. */
export function canonicalFromCompose(project: Json, keep: (service: string) => boolean = () => true): CanonicalProject {
  const services: Record<string, CanonicalService> = {};
  for (const [name, s] of Object.entries((project['services'] as Record<string, Json>) ?? {}))
    if (keep(name)) services[name] = withoutNullArgs(fromComposeService(unescapeDollars(s) as Json));
  return { services: sortedRecord(services), ...usedNames(services) };
}

/** The loader's project. */
export function canonicalFromModel(project: ComposeProject): CanonicalProject {
  const services: Record<string, CanonicalService> = {};
  for (const s of project.services) services[s.name] = withoutNullArgs(fromModelService(s));
  return { services: sortedRecord(services), ...usedNames(services) };
}
