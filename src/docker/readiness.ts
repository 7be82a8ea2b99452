import { OuterloopError } from '../common/errors';
import type { ContainerState } from './containers';
import { neutralizeLoggingCommands } from '../process/neutralize';

/**
 * Readiness, decided from `docker inspect` alone (so it works the same with Compose v1, which has
 * no `up --wait`, and v2): pure functions over the containers' state.
 */

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
  return {
    kind: 'waiting',
    container: c,
    reason: `${c.status}${c.status === 'restarting' ? ` (last exit code ${c.exitCode}${restarts})` : ''}`,
  };
}

function describeHealthCheck(c: ContainerState): string {
  const check = c.lastHealthCheck;
  if (!check || check.exitCode === 0) return '';
  // The probe's output is the container's: it reaches log lines and the result message.
  const output = check.output
    .split('\n')
    .filter((l) => l.trim())
    .pop();
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
