/**
 * The project's own model of a Compose project: every short and long syntax normalized into one
 * typed shape. The loader produces it, the Kubernetes transformer consumes it; it holds no
 * Kubernetes types. Durations are in milliseconds and sizes in bytes.
 */

/** A loaded, merged, interpolated and normalized Compose project. */
export interface ComposeProject {
  name: string;
  /** The project directory (relative paths were resolved from it). */
  workingDir: string;
  /** Enabled services, sorted by name. */
  services: ComposeService[];
  volumes: Record<string, ComposeVolume>;
  networks: Record<string, ComposeNetwork>;
  secrets: Record<string, ComposeFileObject>;
  configs: Record<string, ComposeFileObject>;
  /** Top-level `x-` keys. */
  extensions: Record<string, unknown>;
  /** Other top-level keys the model does not type (`models`, …), for warnings. */
  other: Record<string, unknown>;
}

/** One port of `ports` (ranges are expanded into one entry per port). */
export interface ComposePort {
  target: number;
  published?: number;
  hostIp?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode?: 'ingress' | 'host';
  name?: string;
  appProtocol?: string;
  /** Index of the `ports` entry it came from (a range gives several ports). */
  index?: number;
}

/** One mount of `volumes` or `tmpfs`. */
export interface ComposeMount {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Volume name (type volume), host path (bind, absolute), image (type image); absent for an anonymous volume or tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
  subpath?: string;
  /** tmpfs size in bytes. */
  tmpfsSize?: number;
  tmpfsMode?: number;
  /** Options that have no meaning for Kubernetes (bind propagation, nocopy, selinux, …), for warnings. */
  extraOptions: string[];
  /** Where it was written: `volumes[i]` or `tmpfs[i]` of the service. */
  origin?: { key: 'volumes' | 'tmpfs'; index: number };
}

/** A healthcheck; `test` undefined means disabled. */
export interface ComposeHealthcheck {
  /** `['CMD', …]` or `['CMD-SHELL', 'cmd']`; undefined when disabled. */
  test?: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

/** One `depends_on` entry. */
export interface ComposeDependency {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart: boolean;
  /** Set when Compose implies the dependency (`links`, `network_mode: service:x`, `volumes_from`): the key that does. */
  implicit?: 'links' | 'network_mode' | 'volumes_from';
}

/** A secret or config mounted into a service. */
export interface ComposeFileReference {
  source: string;
  /** Absolute path in the container. */
  target: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

/** Container resources. */
export interface ComposeResources {
  /** CPUs as a decimal number of cores. */
  cpus?: number;
  memoryBytes?: number;
  pids?: number;
  /** Device reservations, as written (NVIDIA GPU counts are converted, the rest reported). */
  devices?: unknown[];
  /** Other keys written (generic_resources, …), for warnings. */
  otherKeys?: string[];
}

/** An `env_file` entry. */
export interface ComposeEnvFile {
  path: string;
  required: boolean;
  format?: 'raw';
}

/** One service. `keys` lists every key written for it (the converter names the ones it drops). */
export interface ComposeService {
  name: string;
  keys: string[];
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args: Record<string, string | null> };
  command?: string[];
  entrypoint?: string[];
  /** From `environment`: null means "declared without a value and not set". */
  environment: Record<string, string | null>;
  envFiles: ComposeEnvFile[];
  /** The values of all env_files, later files winning. */
  envFileValues: Record<string, string>;
  ports: ComposePort[];
  expose: Array<{ port: number; protocol: 'tcp' | 'udp' | 'sctp' }>;
  mounts: ComposeMount[];
  healthcheck?: ComposeHealthcheck;
  dependsOn: Record<string, ComposeDependency>;
  restart?: string;
  deploy?: ComposeDeploy;
  scale?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  user?: string;
  groupAdd: string[];
  workingDir?: string;
  hostname?: string;
  domainname?: string;
  capAdd: string[];
  capDrop: string[];
  privileged?: boolean;
  readOnly?: boolean;
  securityOpt: string[];
  sysctls: Record<string, string>;
  extraHosts: Array<{ host: string; ip: string }>;
  stopGracePeriodMs?: number;
  stopSignal?: string;
  tty?: boolean;
  stdinOpen?: boolean;
  init?: boolean;
  limits: ComposeResources;
  reservations: ComposeResources;
  shmSizeBytes?: number;
  secrets: ComposeFileReference[];
  configs: ComposeFileReference[];
  /** Networks the service joins, with its aliases and the names of any other options (ipv4_address, …). */
  networks: Record<string, { aliases: string[]; options: string[] } | null>;
  /** `dns`, `dns_search`, `dns_opt`. */
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** `post_start` and `pre_stop` hooks: their commands (exec form). */
  postStart: ComposeHook[];
  preStop: ComposeHook[];
  networkMode?: string;
  profiles: string[];
  pullPolicy?: string;
  platform?: string;
  containerName?: string;
  /** Every other key, as written (after interpolation). */
  other: Record<string, unknown>;
}

/** A lifecycle hook (`post_start`, `pre_stop`). */
export interface ComposeHook {
  command: string[];
  /** Keys a Kubernetes hook cannot honour (user, privileged, working_dir, environment), for warnings. */
  unsupported: string[];
}

/** `deploy`. */
export interface ComposeDeploy {
  mode?: 'replicated' | 'global' | 'replicated-job' | 'global-job';
  replicas?: number;
  labels: Record<string, string>;
  restartPolicy?: { condition?: 'none' | 'on-failure' | 'any'; delayMs?: number; maxAttempts?: number; windowMs?: number };
  /** Keys of `deploy` the model keeps as written (placement, update_config, …). */
  other: Record<string, unknown>;
}

/** A top-level volume. */
export interface ComposeVolume {
  /** The name it has outside the project (`name:` or external name). */
  name?: string;
  external: boolean;
  driver?: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  /** Keys the model does not type, for warnings. */
  otherKeys: string[];
}

/** A top-level network. */
export interface ComposeNetwork {
  name?: string;
  external: boolean;
  driver?: string;
  labels: Record<string, string>;
}

/** A top-level secret or config. */
export interface ComposeFileObject {
  name?: string;
  external: boolean;
  /** Absolute path of `file:`. */
  file?: string;
  /** The variable of `environment:`, and its value when set. */
  environment?: string;
  content?: string;
  labels: Record<string, string>;
  /** Keys the model does not type (driver, template_driver, …), for warnings. */
  otherKeys: string[];
}
