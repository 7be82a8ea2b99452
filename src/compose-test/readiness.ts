import { OuterloopError } from '../common/errors';
import { neutralizeLoggingCommands } from '../process/neutralize';

/**
 * Readiness, decided from `docker inspect` alone (so it works the same with Compose v1, which has
 * no `up --wait`, and v2): pure functions over the containers' state.
 */

/** A published port of a container. */
export interface PublishedPort {
  containerPort: string;
  protocol: string;
  hostIp: string;
  hostPort: string;
}

/** What ComposeTest reads of one container (`docker inspect`). */
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
    };
  });
}

/** Where a container stands on the way to ready. */
export type ContainerVerdict =
  | { kind: 'ready'; container: ContainerState; reason: string }
  | { kind: 'waiting'; container: ContainerState; reason: string }
  | { kind: 'failed'; container: ContainerState; reason: string };

/**
 * One container's verdict. Ready: healthy (with a healthcheck) or running (without one), or a
 * one-shot service that exited 0. Failed: unhealthy, or exited or dead otherwise. Restarting is
 * waiting (a service may crash once while its dependencies come up); the timeout ends a crash loop.
 */
export function judgeContainer(c: ContainerState, oneShot: ReadonlySet<string>): ContainerVerdict {
  const exited = c.status === 'exited' || c.status === 'dead';
  if (exited && c.exitCode === 0 && oneShot.has(c.service)) return { kind: 'ready', container: c, reason: 'completed' };
  if (exited) return { kind: 'failed', container: c, reason: `exited with code ${c.exitCode}` };
  if (c.health === 'unhealthy') return { kind: 'failed', container: c, reason: `turned unhealthy${describeHealthCheck(c)}` };
  if (c.status === 'running' && c.health === undefined) return { kind: 'ready', container: c, reason: 'running' };
  if (c.status === 'running' && c.health === 'healthy') return { kind: 'ready', container: c, reason: 'healthy' };
  if (c.status === 'running') return { kind: 'waiting', container: c, reason: `health: ${c.health}${describeHealthCheck(c)}` };
  const restarts = c.restartCount > 0 ? `, ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
  return { kind: 'waiting', container: c, reason: `${c.status}${c.status === 'restarting' ? ` (last exit code ${c.exitCode}${restarts})` : ''}` };
}

function describeHealthCheck(c: ContainerState): string {
  const check = c.lastHealthCheck;
  if (!check || check.exitCode === 0) return '';
  // The probe's output is the container's: it reaches log lines and the result message.
  const output = check.output.split('\n').filter((l) => l.trim()).pop();
  return ` (last health check: exit ${check.exitCode}${output ? `, ${neutralizeLoggingCommands(output.trim())}` : ''})`;
}

/** The state of the whole app. */
export interface Readiness {
  kind: 'ready' | 'waiting' | 'failed';
  verdicts: ContainerVerdict[];
  /** The first failed container, when kind is failed. */
  failed?: ContainerVerdict;
}

/** Judges the app's (non one-off) containers: failed if any failed, ready if all are ready. */
export function judgeReadiness(containers: readonly ContainerState[], oneShot: ReadonlySet<string>): Readiness {
  const verdicts = containers
    .filter((c) => !c.oneOff)
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number)
    .map((c) => judgeContainer(c, oneShot));
  const failed = verdicts.find((v) => v.kind === 'failed');
  if (failed) return { kind: 'failed', verdicts, failed };
  if (verdicts.length > 0 && verdicts.every((v) => v.kind === 'ready')) return { kind: 'ready', verdicts };
  return { kind: 'waiting', verdicts };
}

/** `web (healthy), worker (running)`: one line for the log. */
export function describeVerdicts(verdicts: readonly ContainerVerdict[], kinds: ReadonlyArray<ContainerVerdict['kind']>): string {
  return verdicts
    .filter((v) => kinds.includes(v.kind))
    .map((v) => `${label(v.container)} (${v.reason})`)
    .join(', ');
}

/** A service's name, with its container number when it runs more than one. */
export function label(c: ContainerState): string {
  return c.number > 1 ? `${c.service}#${c.number}` : c.service;
}

/** The app did not become ready: a service failed, or the wait timed out. The message names the services. */
export class ReadinessError extends OuterloopError {}
