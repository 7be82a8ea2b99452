/**
 * What the engine says about a container (`docker inspect`), read into the few fields the tasks
 * judge: state, health, exit code, published ports and Compose's labels. Pure.
 */

/** A published port of a container. */
export interface PublishedPort {
  containerPort: string;
  protocol: string;
  hostIp: string;
  hostPort: string;
}

/** What a task reads of one container (`docker inspect`). */
export interface ContainerState {
  id: string;
  /** Without the leading `/`. */
  name: string;
  service: string;
  /** `com.docker.compose.container-number`. */
  number: number;
  /** A `run` container rather than a service's. */
  oneOff: boolean;
  /** The image as the service names it. */
  image: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  status: string;
  exitCode: number;
  restartCount: number;
  startedAt?: string;
  /** starting, healthy or unhealthy; undefined when the container has no healthcheck. */
  health?: string;
  /** When the first passing health check in the log ended (for the readiness-latency figure). */
  healthyAt?: string;
  /** The last health check's exit code and output. */
  lastHealthCheck?: { exitCode: number; output: string };
  ports: PublishedPort[];
  /** The container's labels (Compose's `com.docker.compose.*` among them). */
  labels: Record<string, string>;
}

interface InspectJson {
  Id: string;
  Name: string;
  RestartCount?: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: {
    Status?: string;
    ExitCode?: number;
    StartedAt?: string;
    Health?: { Status?: string; Log?: Array<{ End?: string; ExitCode?: number; Output?: string }> | null };
  };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Parses `docker inspect` output (a JSON array) into container states. */
export function parseInspect(json: string): ContainerState[] {
  const items = JSON.parse(json) as InspectJson[];
  return items.map((c) => {
    const labels = c.Config?.Labels ?? {};
    const health = c.State?.Health;
    const log = health?.Log ?? [];
    const last = log[log.length - 1];
    const firstPass = health?.Status === 'healthy' ? log.find((entry) => entry.ExitCode === 0) : undefined;
    const ports: PublishedPort[] = [];
    for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
      const [containerPort, protocol = 'tcp'] = key.split('/');
      for (const b of bindings ?? []) {
        if (b.HostPort) ports.push({ containerPort, protocol, hostIp: b.HostIp ?? '', hostPort: b.HostPort });
      }
    }
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: labels['com.docker.compose.service'] ?? c.Name.replace(/^\//, ''),
      number: Number(labels['com.docker.compose.container-number'] ?? '1') || 1,
      oneOff: (labels['com.docker.compose.oneoff'] ?? 'False').toLowerCase() === 'true',
      image: c.Config?.Image ?? '',
      status: c.State?.Status ?? 'unknown',
      exitCode: c.State?.ExitCode ?? 0,
      restartCount: c.RestartCount ?? 0,
      startedAt: c.State?.StartedAt && c.State.StartedAt !== ZERO_TIME ? c.State.StartedAt : undefined,
      health: health?.Status && health.Status !== 'none' ? health.Status : undefined,
      healthyAt: firstPass?.End,
      lastHealthCheck: last ? { exitCode: last.ExitCode ?? 0, output: (last.Output ?? '').trim() } : undefined,
      ports,
      labels,
    };
  });
}
