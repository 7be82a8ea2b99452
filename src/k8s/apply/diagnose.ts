/**
 * Why a rollout failed, from what kubectl reports about the workload's pods (pure). The task
 * prints the events and log lines and names the reason in its one-sentence result.
 */

/** A pod as `kubectl get pods -o json` lists it (the fields used here). */
export interface ListedPod {
  metadata?: { name?: string; creationTimestamp?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

/** An event as `kubectl get events -o json` lists it. */
export interface ListedEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
}

/** The pod to explain, and why it is not ready. */
export interface FailingPod {
  name: string;
  /** `CrashLoopBackOff`, `ImagePullBackOff`, `Pending`, … */
  reason: string;
  /** It restarted: its previous instance's logs say why. */
  restarted: boolean;
}

function statusesOf(pod: ListedPod): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

function isReady(pod: ListedPod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function reasonOf(pod: ListedPod): string {
  for (const c of statusesOf(pod)) {
    const waiting = c.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing' && waiting !== 'ContainerCreating') return waiting;
    const terminated = c.state?.terminated;
    if (terminated && terminated.exitCode !== 0) return `${terminated.reason ?? 'Terminated'} (exit code ${terminated.exitCode})`;
  }
  return pod.status?.phase ?? 'NotReady';
}

/**
 * The pod that best explains a failed rollout: not ready, preferring one with a waiting or
 * terminated container, then the most restarts, then the newest. Undefined when all are ready.
 */
export function pickFailingPod(pods: readonly ListedPod[]): FailingPod | undefined {
  const candidates = pods.filter((p) => p.metadata?.name && !isReady(p));
  if (candidates.length === 0) return undefined;
  const score = (p: ListedPod): [number, number, string] => {
    const statuses = statusesOf(p);
    const stuck = statuses.some((c) => c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') ? 1 : 0;
    const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
    return [stuck, restarts, p.metadata?.creationTimestamp ?? ''];
  };
  const best = [...candidates].sort((a, b) => {
    const [sa, ra, ta] = score(a);
    const [sb, rb, tb] = score(b);
    return sb - sa || rb - ra || tb.localeCompare(ta) || a.metadata!.name!.localeCompare(b.metadata!.name!);
  })[0];
  return { name: best.metadata!.name!, reason: reasonOf(best), restarted: statusesOf(best).some((c) => (c.restartCount ?? 0) > 0) };
}

function eventTime(e: ListedEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
}

/** The last `count` events, oldest first, one line each: `Warning BackOff (x5): Back-off restarting failed container`. */
export function formatEvents(events: readonly ListedEvent[], count = 10): string[] {
  return [...events]
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-count)
    .map((e) => `${e.type ?? 'Normal'} ${e.reason ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}: ${(e.message ?? '').trim()}`);
}

/** The most telling event: the last warning, else the last event. */
export function keyEvent(events: readonly ListedEvent[]): string | undefined {
  const sorted = [...events].sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const warning = sorted.filter((e) => e.type === 'Warning').pop() ?? sorted.pop();
  return warning ? `${warning.reason ?? 'Event'}: ${(warning.message ?? '').trim()}` : undefined;
}
