import type { VariableLookup } from './interpolate';
import { listToMapping } from './merge';
import type {
  ComposeDeploy,
  ComposeDependency,
  ComposeEnvFile,
  ComposeHook,
  ComposeFileObject,
  ComposeFileReference,
  ComposeHealthcheck,
  ComposeMount,
  ComposeNetwork,
  ComposeProject,
  ComposeResources,
  ComposeService,
  ComposeVolume,
} from './model';
import { formatPath, isMapping, setKey, type KeyPath } from './paths';
import { parseExpose, parseMount, parsePort, parseTmpfs } from './syntax';
import { ValueReader } from './values';

/**
 * Normalization: the merged, validated compose document → the typed model (src/compose/model.ts).
 * Short and long syntaxes become one shape; units become numbers; references are checked.
 */

/** What normalization needs from the loader. */
export interface NormalizeContext {
  /** Project variables, for `environment` keys written without a value. */
  lookup: VariableLookup;
  /** `file:line:column` of a key path. */
  locate(path: KeyPath): string;
  /** Reads an env file (already rebased to an absolute path); undefined when optional and missing. */
  readEnvFile(entry: ComposeEnvFile, path: KeyPath): Record<string, string> | undefined;
  warn(message: string): void;
}

type Raw = Record<string, unknown>;

/**
 * As Compose does, a service starts after the services it links to, shares the network of
 * (`network_mode: service:x`) or takes volumes from (`volumes_from`): each is a `service_started`
 * dependency unless `depends_on` already names it.
 */
function addImplicitDependencies(s: ComposeService, services: Record<string, unknown>): void {
  const implied: Array<[string, NonNullable<ComposeDependency['implicit']>]> = [];
  const links = s.other['links'];
  if (Array.isArray(links)) for (const link of links) implied.push([String(link).split(':')[0], 'links']);
  const shared = /^service:(.+)$/.exec(s.networkMode ?? '');
  if (shared) implied.push([shared[1], 'network_mode']);
  const from = s.other['volumes_from'];
  if (Array.isArray(from))
    for (const v of from) if (!String(v).startsWith('container:')) implied.push([String(v).split(':')[0], 'volumes_from']);
  for (const [name, key] of implied) {
    if (name === s.name || s.dependsOn[name] || !Object.prototype.hasOwnProperty.call(services, name)) continue;
    s.dependsOn[name] = { condition: 'service_started', required: true, restart: false, implicit: key };
  }
}

class Normalizer extends ValueReader {
  constructor(private readonly ctx: NormalizeContext) {
    super(ctx.locate);
  }

  healthcheck(raw: unknown, path: KeyPath): ComposeHealthcheck | undefined {
    if (!isMapping(raw)) return undefined;
    const check: ComposeHealthcheck = {};
    const disabled = this.bool(raw['disable'], [...path, 'disable']) === true;
    const test = raw['test'];
    if (!disabled && test !== undefined && test !== null) {
      const words = typeof test === 'string' ? ['CMD-SHELL', test] : this.strings(test, [...path, 'test']);
      if (words[0] === 'NONE') return {};
      if (words[0] !== 'CMD' && words[0] !== 'CMD-SHELL')
        this.fail([...path, 'test'], `must start with CMD, CMD-SHELL or NONE, not '${words[0]}'.`);
      if (words.length < 2) this.fail([...path, 'test'], 'names no command.');
      check.test = words[0] === 'CMD-SHELL' ? ['CMD-SHELL', words.slice(1).join(' ')] : words;
    }
    if (disabled) return {};
    const set = <K extends keyof ComposeHealthcheck>(k: K, v: ComposeHealthcheck[K]): void => {
      if (v !== undefined) check[k] = v;
    };
    set('intervalMs', this.duration(raw['interval'], [...path, 'interval']));
    set('timeoutMs', this.duration(raw['timeout'], [...path, 'timeout']));
    set('retries', this.int(raw['retries'], [...path, 'retries']));
    set('startPeriodMs', this.duration(raw['start_period'], [...path, 'start_period']));
    set('startIntervalMs', this.duration(raw['start_interval'], [...path, 'start_interval']));
    return check;
  }

  resources(raw: unknown, path: KeyPath): ComposeResources {
    const out: ComposeResources = {};
    if (!isMapping(raw)) return out;
    const cpus = this.num(raw['cpus'], [...path, 'cpus']);
    if (cpus !== undefined) out.cpus = cpus;
    const memory = this.bytes(raw['memory'], [...path, 'memory']);
    if (memory !== undefined) out.memoryBytes = memory;
    const pids = this.int(raw['pids'], [...path, 'pids']);
    if (pids !== undefined) out.pids = pids;
    if (Array.isArray(raw['devices']) && raw['devices'].length > 0) out.devices = raw['devices'];
    const rest = otherKeys(raw, ['cpus', 'memory', 'pids', 'devices']);
    if (rest.length) out.otherKeys = rest;
    return out;
  }

  deploy(raw: unknown, path: KeyPath, service: ComposeService): ComposeDeploy | undefined {
    if (!isMapping(raw)) return undefined;
    const deploy: ComposeDeploy = { labels: this.labels(raw['labels'], 'deploy.labels'), other: {} };
    if (raw['mode'] !== undefined) deploy.mode = this.str(raw['mode']) as ComposeDeploy['mode'];
    const replicas = this.int(raw['replicas'], [...path, 'replicas']);
    if (replicas !== undefined && replicas < 0) this.fail([...path, 'replicas'], `must not be negative, not ${replicas}.`);
    if (replicas !== undefined) deploy.replicas = replicas;
    const rp = raw['restart_policy'];
    if (isMapping(rp)) {
      deploy.restartPolicy = {};
      if (rp['condition'] !== undefined) deploy.restartPolicy.condition = this.str(rp['condition']) as 'none';
      const delay = this.duration(rp['delay'], [...path, 'restart_policy', 'delay']);
      if (delay !== undefined) deploy.restartPolicy.delayMs = delay;
      const attempts = this.int(rp['max_attempts'], [...path, 'restart_policy', 'max_attempts']);
      if (attempts !== undefined) deploy.restartPolicy.maxAttempts = attempts;
      const window = this.duration(rp['window'], [...path, 'restart_policy', 'window']);
      if (window !== undefined) deploy.restartPolicy.windowMs = window;
    }
    const resources = raw['resources'];
    if (isMapping(resources)) {
      Object.assign(service.limits, this.resources(resources['limits'], [...path, 'resources', 'limits']));
      Object.assign(service.reservations, this.resources(resources['reservations'], [...path, 'resources', 'reservations']));
    }
    for (const [key, value] of Object.entries(raw)) {
      if (!['mode', 'replicas', 'labels', 'restart_policy', 'resources'].includes(key) && !key.startsWith('x-')) deploy.other[key] = value;
    }
    return deploy;
  }

  fileReferences(raw: unknown, path: KeyPath, kind: 'secrets' | 'configs', known: Record<string, unknown>): ComposeFileReference[] {
    if (!Array.isArray(raw)) return [];
    return raw.map((entry, i) => {
      const source = this.str(isMapping(entry) ? entry['source'] : entry);
      if (!Object.prototype.hasOwnProperty.call(known, source))
        this.fail([...path, i], `refers to the ${kind.slice(0, -1)} '${source}', which the top-level ${kind} section does not define.`);
      const written = isMapping(entry) && entry['target'] !== undefined ? this.str(entry['target']) : undefined;
      const base = kind === 'secrets' ? '/run/secrets/' : '/';
      const target = written === undefined ? `${base}${source}` : written.startsWith('/') ? written : `${base}${written}`;
      const ref: ComposeFileReference = { source, target };
      if (isMapping(entry)) {
        if (entry['uid'] !== undefined) ref.uid = this.str(entry['uid']);
        if (entry['gid'] !== undefined) ref.gid = this.str(entry['gid']);
        if (entry['mode'] !== undefined) {
          const mode =
            typeof entry['mode'] === 'number'
              ? entry['mode']
              : /^0?[0-7]{1,4}$/.test(this.str(entry['mode']))
                ? parseInt(this.str(entry['mode']), 8)
                : NaN;
          if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
            this.fail([...path, i, 'mode'], 'must be a file mode: an octal string such as "0440", or a number from 0 to 4095.');
          ref.mode = mode;
        }
      }
      return ref;
    });
  }

  service(name: string, raw: Raw, top: Raw): ComposeService {
    const at = (...rest: Array<string | number>): KeyPath => ['services', name, ...rest];
    const s: ComposeService = {
      name,
      keys: Object.keys(raw)
        .filter((k) => !k.startsWith('x-'))
        .sort(),
      environment: {},
      envFiles: [],
      envFileValues: {},
      ports: [],
      expose: [],
      mounts: [],
      dependsOn: {},
      labels: this.labels(raw['labels'], 'labels'),
      annotations: this.labels(raw['annotations'], 'annotations'),
      groupAdd: this.strings(raw['group_add'], at('group_add')),
      capAdd: this.strings(raw['cap_add'], at('cap_add')),
      capDrop: this.strings(raw['cap_drop'], at('cap_drop')),
      securityOpt: this.strings(raw['security_opt'], at('security_opt')),
      sysctls: this.labels(raw['sysctls'], 'sysctls'),
      extraHosts: [],
      limits: {},
      reservations: {},
      secrets: [],
      configs: [],
      networks: {},
      profiles: this.strings(raw['profiles'], at('profiles')),
      other: {},
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
      postStart: [],
      preStop: [],
    };
    const handled = new Set([
      'labels',
      'annotations',
      'group_add',
      'cap_add',
      'cap_drop',
      'security_opt',
      'sysctls',
      'profiles',
      'extends',
    ]);
    const take = (key: string): unknown => {
      handled.add(key);
      return raw[key];
    };
    // label_file: labels from files (KEY=VALUE lines); labels written in the compose file win.
    this.strings(take('label_file'), at('label_file')).forEach((path, i) => {
      const fromFile = this.ctx.readEnvFile({ path, required: true, format: 'raw' }, at('label_file', i)) ?? {};
      s.labels = { ...fromFile, ...s.labels };
    });
    const image = take('image');
    if (image !== undefined && image !== null) s.image = this.str(image);
    const build = take('build');
    if (typeof build === 'string') s.build = { context: build, args: {} };
    else if (isMapping(build)) {
      s.build = { context: this.str(build['context'] ?? '.'), args: this.mapping(build['args'], 'build.args') };
      if (build['dockerfile'] !== undefined) s.build.dockerfile = this.str(build['dockerfile']);
      if (build['target'] !== undefined) s.build.target = this.str(build['target']);
    }
    const command = this.command(take('command'), at('command'));
    if (command) s.command = command;
    const entrypoint = this.command(take('entrypoint'), at('entrypoint'));
    if (entrypoint) s.entrypoint = entrypoint;
    for (const [key, value] of Object.entries(this.mapping(take('environment'), 'environment'))) {
      const resolved = value ?? this.ctx.lookup(key) ?? null;
      if (resolved === null)
        this.ctx.warn(
          `${this.ctx.locate(at('environment', key))}: ${formatPath(at('environment', key))} has no value and the variable is not set: left out.`,
        );
      setKey(s.environment, key, resolved);
    }
    const envFile = take('env_file');
    const envFiles = envFile === undefined || envFile === null ? [] : Array.isArray(envFile) ? envFile : [envFile];
    envFiles.forEach((entry, i) => {
      const file: ComposeEnvFile = isMapping(entry)
        ? {
            path: this.str(entry['path']),
            required: this.bool(entry['required'], at('env_file', i, 'required')) ?? true,
            ...(entry['format'] === 'raw' ? { format: 'raw' as const } : {}),
          }
        : { path: this.str(entry), required: true };
      s.envFiles.push(file);
      const values = this.ctx.readEnvFile(file, at('env_file', i));
      if (values) for (const [k, v] of Object.entries(values)) setKey(s.envFileValues, k, v);
    });
    const ports = take('ports');
    if (Array.isArray(ports))
      ports.forEach((p, i) => s.ports.push(...this.syntax(at('ports', i), () => parsePort(p)).map((port) => ({ ...port, index: i }))));
    const expose = take('expose');
    if (Array.isArray(expose)) expose.forEach((p, i) => s.expose.push(...this.syntax(at('expose', i), () => parseExpose(p))));
    const volumes = take('volumes');
    const topVolumes = isMapping(top['volumes']) ? top['volumes'] : {};
    if (Array.isArray(volumes)) {
      volumes.forEach((v, i) => {
        const mount: ComposeMount = this.syntax(at('volumes', i), () => parseMount(v, '/'));
        if (mount.type === 'volume' && mount.source !== undefined && !Object.prototype.hasOwnProperty.call(topVolumes, mount.source)) {
          this.fail(at('volumes', i), `refers to the volume '${mount.source}', which the top-level volumes section does not define.`);
        }
        s.mounts.push({ ...mount, origin: { key: 'volumes', index: i } });
      });
    }
    const tmpfs = take('tmpfs');
    for (const [i, t] of (tmpfs === undefined || tmpfs === null ? [] : Array.isArray(tmpfs) ? tmpfs : [tmpfs]).entries())
      s.mounts.push({ ...this.syntax(at('tmpfs', i), () => parseTmpfs(t)), origin: { key: 'tmpfs', index: i } });
    const healthcheck = this.healthcheck(take('healthcheck'), at('healthcheck'));
    if (healthcheck) s.healthcheck = healthcheck;
    const services = isMapping(top['services']) ? top['services'] : {};
    for (const [dep, value] of Object.entries(this.dependsOn(take('depends_on')))) {
      if (!Object.prototype.hasOwnProperty.call(services, dep)) {
        if (value.required) this.fail(at('depends_on', dep), `names the service '${dep}', which is not defined.`);
        this.ctx.warn(
          `${this.ctx.locate(at('depends_on', dep))}: ${formatPath(at('depends_on', dep))}: the optional dependency '${dep}' is not defined: ignored.`,
        );
        continue;
      }
      s.dependsOn[dep] = value;
    }
    const restart = take('restart');
    if (restart !== undefined && restart !== null) s.restart = this.str(restart);
    const deploy = this.deploy(take('deploy'), at('deploy'), s);
    if (deploy) s.deploy = deploy;
    const scale = this.int(take('scale'), at('scale'));
    if (scale !== undefined && scale < 0) this.fail(at('scale'), `must not be negative, not ${scale}.`);
    if (scale !== undefined) s.scale = scale;
    const strField = (key: string, set: (v: string) => void): void => {
      const v = take(key);
      if (v !== undefined && v !== null) set(this.str(v));
    };
    strField('user', (v) => (s.user = v));
    strField('working_dir', (v) => (s.workingDir = v));
    strField('hostname', (v) => (s.hostname = v));
    strField('domainname', (v) => (s.domainname = v));
    strField('stop_signal', (v) => (s.stopSignal = v));
    strField('network_mode', (v) => (s.networkMode = v));
    strField('pull_policy', (v) => (s.pullPolicy = v));
    strField('platform', (v) => (s.platform = v));
    strField('container_name', (v) => (s.containerName = v));
    const boolField = (key: string, set: (v: boolean) => void): void => {
      const v = this.bool(take(key), at(key));
      if (v !== undefined) set(v);
    };
    boolField('privileged', (v) => (s.privileged = v));
    boolField('read_only', (v) => (s.readOnly = v));
    boolField('tty', (v) => (s.tty = v));
    boolField('stdin_open', (v) => (s.stdinOpen = v));
    boolField('init', (v) => (s.init = v));
    const grace = this.duration(take('stop_grace_period'), at('stop_grace_period'));
    if (grace !== undefined) s.stopGracePeriodMs = grace;
    const extraHosts = take('extra_hosts');
    const hosts = Array.isArray(extraHosts) ? listToMapping('extra_hosts', extraHosts) : isMapping(extraHosts) ? extraHosts : {};
    for (const [host, ips] of Object.entries(hosts)) {
      for (const ip of ([] as unknown[]).concat(ips)) s.extraHosts.push({ host, ip: this.str(ip).replace(/^\[(.*)\]$/, '$1') });
    }
    const cpus = this.num(take('cpus'), at('cpus'));
    if (cpus !== undefined && s.limits.cpus === undefined) s.limits.cpus = cpus;
    const memLimit = this.bytes(take('mem_limit'), at('mem_limit'));
    if (memLimit !== undefined && s.limits.memoryBytes === undefined) s.limits.memoryBytes = memLimit;
    const memReservation = this.bytes(take('mem_reservation'), at('mem_reservation'));
    if (memReservation !== undefined && s.reservations.memoryBytes === undefined) s.reservations.memoryBytes = memReservation;
    const pids = this.int(take('pids_limit'), at('pids_limit'));
    if (pids !== undefined && s.limits.pids === undefined) s.limits.pids = pids;
    const shm = this.bytes(take('shm_size'), at('shm_size'));
    if (shm !== undefined) s.shmSizeBytes = shm;
    s.secrets = this.fileReferences(take('secrets'), at('secrets'), 'secrets', isMapping(top['secrets']) ? top['secrets'] : {});
    s.configs = this.fileReferences(take('configs'), at('configs'), 'configs', isMapping(top['configs']) ? top['configs'] : {});
    const networks = take('networks');
    const nets = Array.isArray(networks) ? listToMapping('networks', networks) : isMapping(networks) ? networks : {};
    for (const [net, value] of Object.entries(nets)) {
      s.networks[net] = isMapping(value)
        ? {
            aliases: this.strings(value['aliases'], at('networks', net, 'aliases')),
            options: Object.keys(value)
              .filter((k) => k !== 'aliases')
              .sort(),
          }
        : null;
    }
    s.dns = this.strings(take('dns'), at('dns'));
    s.dnsSearch = this.strings(take('dns_search'), at('dns_search'));
    s.dnsOptions = this.strings(take('dns_opt'), at('dns_opt'));
    s.postStart = this.hooks(take('post_start'), at('post_start'));
    s.preStop = this.hooks(take('pre_stop'), at('pre_stop'));
    for (const [key, value] of Object.entries(raw)) if (!handled.has(key) && !key.startsWith('x-')) s.other[key] = value;
    addImplicitDependencies(s, services);
    return s;
  }

  hooks(raw: unknown, path: KeyPath): ComposeHook[] {
    if (!Array.isArray(raw)) return [];
    return raw.map((hook, i) => {
      const h = isMapping(hook) ? hook : {};
      const command = this.command(h['command'], [...path, i, 'command']) ?? [];
      if (command.length === 0) this.fail([...path, i], 'needs a command.');
      return {
        command,
        unsupported: ['user', 'privileged', 'working_dir', 'environment'].filter(
          (k) => h[k] !== undefined && h[k] !== null && h[k] !== false,
        ),
      };
    });
  }

  dependsOn(raw: unknown): Record<string, ComposeDependency> {
    const map = Array.isArray(raw) ? listToMapping('depends_on', raw) : isMapping(raw) ? raw : {};
    const out: Record<string, ComposeDependency> = {};
    for (const [name, value] of Object.entries(map)) {
      const v = isMapping(value) ? value : {};
      out[name] = {
        condition: this.str(v['condition'] || 'service_started') as ComposeDependency['condition'],
        required: v['required'] === undefined ? true : v['required'] === true || v['required'] === 'true',
        restart: v['restart'] === true || v['restart'] === 'true',
      };
    }
    return out;
  }

  external(raw: Raw): { external: boolean; name?: string } {
    const ext = raw['external'];
    const name =
      raw['name'] !== undefined ? this.str(raw['name']) : isMapping(ext) && ext['name'] !== undefined ? this.str(ext['name']) : undefined;
    return { external: ext === true || ext === 'true' || isMapping(ext), ...(name !== undefined ? { name } : {}) };
  }

  volume(raw: unknown): ComposeVolume {
    const r = isMapping(raw) ? raw : {};
    const v: ComposeVolume = {
      ...this.external(r),
      driverOpts: this.labels(r['driver_opts'], 'driver_opts'),
      labels: this.labels(r['labels'], 'labels'),
      otherKeys: otherKeys(r, ['external', 'name', 'driver', 'driver_opts', 'labels']),
    };
    if (r['driver'] !== undefined) v.driver = this.str(r['driver']);
    return v;
  }

  network(raw: unknown): ComposeNetwork {
    const r = isMapping(raw) ? raw : {};
    const n: ComposeNetwork = { ...this.external(r), labels: this.labels(r['labels'], 'labels') };
    if (r['driver'] !== undefined) n.driver = this.str(r['driver']);
    return n;
  }

  fileObject(raw: unknown, path: KeyPath): ComposeFileObject {
    const r = isMapping(raw) ? raw : {};
    const o: ComposeFileObject = {
      ...this.external(r),
      labels: this.labels(r['labels'], 'labels'),
      otherKeys: otherKeys(r, ['external', 'name', 'labels', 'file', 'content', 'environment']),
    };
    if (r['file'] !== undefined) o.file = this.str(r['file']);
    if (r['content'] !== undefined) o.content = this.str(r['content']);
    if (r['environment'] !== undefined) {
      o.environment = this.str(r['environment']);
      const value = this.ctx.lookup(o.environment);
      if (value === undefined) this.fail([...path, 'environment'], `names the variable ${o.environment}, which is not set.`);
      o.content = value;
    }
    if (!o.external && o.file === undefined && o.content === undefined) this.fail(path, 'needs file, environment, content or external.');
    return o;
  }
}

/** The parts of a project normalization produces (the loader adds name, directory and profiles). */
export type NormalizedDocument = Omit<ComposeProject, 'name' | 'workingDir'>;

/** The keys of `raw` other than `known` and `x-` extensions, sorted. */
function otherKeys(raw: Raw, known: string[]): string[] {
  return Object.keys(raw)
    .filter((k) => !known.includes(k) && !k.startsWith('x-'))
    .sort();
}

const TOP_LEVEL = ['version', 'name', 'include', 'services', 'volumes', 'networks', 'secrets', 'configs'];

/** Normalizes a merged document. Throws FileError naming file:line:column and the key path. */
export function normalizeDocument(doc: Raw, ctx: NormalizeContext): NormalizedDocument {
  const n = new Normalizer(ctx);
  const section = (key: string): Raw => (isMapping(doc[key]) ? (doc[key] as Raw) : {});
  const services = Object.entries(section('services'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, raw]) => n.service(name, isMapping(raw) ? raw : {}, doc));
  const map = <T>(key: string, f: (raw: unknown, path: KeyPath) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [name, raw] of Object.entries(section(key))) out[name] = f(raw, [key, name]);
    return out;
  };
  // As docker compose does: the Compose Specification made `version` obsolete.
  if (doc['version'] !== undefined)
    ctx.warn(`${ctx.locate(['version'])}: version is obsolete (the Compose Specification ignores it): ignored; remove it.`);
  const extensions: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('x-')) extensions[key] = value;
    else if (!TOP_LEVEL.includes(key)) other[key] = value;
  }
  return {
    services,
    volumes: map('volumes', (raw) => n.volume(raw)),
    networks: map('networks', (raw) => n.network(raw)),
    secrets: map('secrets', (raw, path) => n.fileObject(raw, path)),
    configs: map('configs', (raw, path) => n.fileObject(raw, path)),
    extensions,
    other,
  };
}
