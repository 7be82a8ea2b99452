import type { ComposePort, ComposeService } from '../compose/model';
import { CONTROL_LABELS, type TransformContext } from './context';
import { dnsLabelProblem, labelKeyProblem, labelValueProblem, portNameProblem, toKubernetesName } from './names';
import { planSharedPods, podMembers } from './shared-pods';

/**
 * The per-service decisions taken before any object is built: the Kubernetes name, the
 * controller kind, the Service and its ports. Dependencies and volumes need them for every service.
 */

/** Controller kinds a service can become. */
export type ControllerKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

/** One port of a service's Service. */
export interface ServicePortPlan {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  nodePort?: number;
  /**
   * A port a compose `ports` entry publishes on the host (as written, or on a port Docker picks): what NodePort, LoadBalancer and
   * the Ingress expose.
   */
  published?: boolean;
}

/** Decisions for one service. */
export interface ServicePlan {
  service: ComposeService;
  /** The Kubernetes name of its workload, Service and pods' container. */
  name: string;
  kind: ControllerKind;
  /** For Jobs and CronJobs. */
  job?: { restartPolicy: 'Never' | 'OnFailure'; backoffLimit: number; schedule?: string };
  replicas: number;
  ports: ServicePortPlan[];
  /** The Service type, or 'headless'; undefined when the service gets no Service. */
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'headless';
  /** Annotations from compose `labels` and `annotations` (control labels left out, invalid keys reported). */
  annotations: Record<string, string>;
  /** Labels of the workload from `deploy.labels` (invalid ones reported). */
  labels: Record<string, string>;
  /**
   * The service whose pod this one's container joins (network_mode: service:x or container:x); it has no workload or Service of its
   * own.
   */
  podOf?: string;
}

/** Compose labels and annotations that can be Kubernetes metadata; the others are named in warnings. */
function planMetadata(ctx: TransformContext, s: ComposeService): Pick<ServicePlan, 'annotations' | 'labels'> {
  const annotations: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const written: Array<[string, Record<string, string>]> = [
    ['labels', s.labels],
    ['annotations', s.annotations],
  ];
  for (const [key, source] of written) {
    for (const [name, value] of Object.entries(source)) {
      if (key === 'labels' && name.startsWith('outerloop.')) continue;
      if (key === 'labels' && name.startsWith('kompose.')) {
        ctx.warn(['services', s.name, key, name], 'is a kompose label outerloop does not read: left out.');
        continue;
      }
      const problem = labelKeyProblem(name);
      if (problem) ctx.warn(['services', s.name, key, name], `cannot be a Kubernetes annotation key (${problem}): left out.`);
      else annotations[name] = value;
    }
  }
  for (const [name, value] of Object.entries(s.deploy?.labels ?? {})) {
    const problem = labelKeyProblem(name) ?? labelValueProblem(value);
    if (problem) ctx.warn(['services', s.name, 'deploy', 'labels', name], `cannot be a Kubernetes label (${problem}): left out.`);
    else labels[name] = value;
  }
  return { annotations, labels };
}

const KINDS: Record<string, ControllerKind> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  daemonset: 'DaemonSet',
  job: 'Job',
  cronjob: 'CronJob',
};

/**
 * `on-failure` and `no` are common on long-running servers too (Swarm files use on-failure with
 * replicas; `restart: "no"` is often written just to say "do not restart"): a service that serves
 * ports or expose or has a healthcheck (or, with on-failure, runs several replicas) is one, so it
 * stays a Deployment with its Service (which always restarts its pods: said in a warning);
 * otherwise it is a one-shot Job.
 */
function runsForever(ctx: TransformContext, s: ComposeService, policy: 'on-failure' | 'no'): boolean {
  const replicas = policy === 'on-failure' && (s.deploy?.replicas ?? s.scale ?? 1) > 1;
  const why =
    s.ports.length > 0 || s.expose.length > 0
      ? 'serves ports'
      : s.healthcheck?.test !== undefined
        ? 'has a healthcheck'
        : replicas
          ? 'runs several replicas'
          : undefined;
  if (why === undefined) return false;
  const fromRestart = policy === 'on-failure' ? s.restart?.startsWith('on-failure') : s.restart === 'no';
  const path = fromRestart ? ['services', s.name, 'restart'] : ['services', s.name, 'deploy', 'restart_policy', 'condition'];
  const value = fromRestart ? policy : policy === 'no' ? 'none' : policy;
  ctx.warn(
    path,
    `is ${value}, but the service ${why}, so it becomes a Deployment, which restarts its pods whatever their exit code (label it ${CONTROL_LABELS.controller}: job to run it to completion).`,
  );
  return true;
}

function chooseKind(ctx: TransformContext, s: ComposeService): Pick<ServicePlan, 'kind' | 'job'> {
  const label = s.labels[CONTROL_LABELS.controller];
  const schedule = s.labels[CONTROL_LABELS.schedule];
  const at = ['services', s.name, 'labels'];
  const restart = s.restart ?? '';
  const condition = s.deploy?.restartPolicy?.condition;
  const jobPolicy = (): NonNullable<ServicePlan['job']> => {
    const onFailure = restart.startsWith('on-failure') || condition === 'on-failure';
    const limit = /^on-failure:(\d+)$/.exec(restart)?.[1];
    const backoffLimit = limit !== undefined ? Number(limit) : (s.deploy?.restartPolicy?.maxAttempts ?? (onFailure ? 6 : 0));
    return { restartPolicy: onFailure ? 'OnFailure' : 'Never', backoffLimit, ...(schedule ? { schedule } : {}) };
  };
  let kind: ControllerKind;
  if (label !== undefined) {
    kind = KINDS[label.toLowerCase()];
    if (!kind) throw ctx.error([...at, CONTROL_LABELS.controller], `must be one of ${Object.keys(KINDS).join(', ')}, not '${label}'.`);
  } else if (schedule !== undefined) kind = 'CronJob';
  else if (s.deploy?.mode === 'global') kind = 'DaemonSet';
  else if (s.deploy?.mode === 'replicated-job' || s.deploy?.mode === 'global-job') kind = 'Job';
  else if (restart === 'no' || condition === 'none') kind = runsForever(ctx, s, 'no') ? 'Deployment' : 'Job';
  else if (restart.startsWith('on-failure') || condition === 'on-failure') kind = runsForever(ctx, s, 'on-failure') ? 'Deployment' : 'Job';
  else kind = 'Deployment';
  if (kind === 'CronJob' && !schedule)
    throw ctx.error(
      [...at, CONTROL_LABELS.controller],
      `is cronjob, which needs the label ${CONTROL_LABELS.schedule} (a cron schedule such as "*/5 * * * *").`,
    );
  if (schedule !== undefined && kind !== 'CronJob')
    throw ctx.error([...at, CONTROL_LABELS.schedule], `is set, so the controller must be cronjob, not ${kind}.`);
  return kind === 'Job' || kind === 'CronJob' ? { kind, job: jobPolicy() } : { kind };
}

function portName(ctx: TransformContext, s: ComposeService, index: number, given: string | undefined, fallback: string): string {
  if (given === undefined) return fallback;
  const name = given.toLowerCase();
  const problem = portNameProblem(name);
  if (problem) throw ctx.error(['services', s.name, 'ports', index, 'name'], `'${given}' cannot be a Kubernetes port name: ${problem}.`);
  return name;
}

/** The Service ports of a service and of the services that share its pod (network_mode: service:x). */
function planPorts(ctx: TransformContext, services: readonly ComposeService[]): ServicePortPlan[] {
  const out: ServicePortPlan[] = [];
  const seen = new Map<string, ServicePortPlan>();
  const add = (p: ServicePortPlan, path: Array<string | number>): void => {
    const key = `${p.port}/${p.protocol}`;
    const existing = seen.get(key);
    if (existing) {
      if (existing.targetPort !== p.targetPort)
        ctx.warn(
          path,
          `publishes port ${p.port}/${p.protocol} again, to container port ${p.targetPort}: only the first (${existing.targetPort}) is kept.`,
        );
      return;
    }
    seen.set(key, p);
    out.push(p);
  };
  for (const s of services) planServicePorts(ctx, s, add);
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

function planServicePorts(ctx: TransformContext, s: ComposeService, add: (p: ServicePortPlan, path: Array<string | number>) => void): void {
  // Peers on a compose network call the container port (web:5000), whatever the host publishes
  // (81:5000): the Service serves every container port under its own number, and a published port
  // that differs is a second port of the Service, the one exposed outside the cluster.
  s.ports.forEach((p: ComposePort, i) => {
    const path = ['services', s.name, 'ports', p.index ?? i];
    if (p.hostIp) ctx.warn(path, `binds to the host address ${p.hostIp}, which has no meaning for a Kubernetes Service: ignored.`);
    if (p.mode === 'host') ctx.warn(path, 'uses mode host (a host port): the port is published through the Service instead.');
    const protocol = p.protocol.toUpperCase() as ServicePortPlan['protocol'];
    const extra = p.appProtocol ? { appProtocol: p.appProtocol } : {};
    const nodePort = (port: number): { nodePort?: number } =>
      p.published === port && port >= 30000 && port <= 32767 ? { nodePort: port } : {};
    const published = p.published !== undefined && p.published !== p.target ? p.published : undefined;
    add(
      {
        name: portName(ctx, s, p.index ?? i, p.name, `${p.protocol}-${p.target}`),
        port: p.target,
        targetPort: p.target,
        protocol,
        ...extra,
        ...nodePort(p.target),
        ...(p.published === undefined || p.published === p.target ? { published: true } : {}),
      },
      path,
    );
    if (published !== undefined)
      add(
        {
          name: `${p.protocol}-${published}`,
          port: published,
          targetPort: p.target,
          protocol,
          ...extra,
          ...nodePort(published),
          published: true,
        },
        path,
      );
  });
  s.expose.forEach((e, i) =>
    add(
      {
        name: `${e.protocol}-${e.port}`,
        port: e.port,
        targetPort: e.port,
        protocol: e.protocol.toUpperCase() as ServicePortPlan['protocol'],
      },
      ['services', s.name, 'expose', i],
    ),
  );
  // Others reach it but it declares no ports: the image's EXPOSE says what it listens on.
  if (!s.ports.length && !s.expose.length) {
    for (const e of ctx.options.exposedPorts?.[s.name] ?? [])
      add(
        {
          name: `${e.protocol}-${e.port}`,
          port: e.port,
          targetPort: e.port,
          protocol: e.protocol.toUpperCase() as ServicePortPlan['protocol'],
        },
        ['services', s.name],
      );
  }
}

const SERVICE_TYPES: Record<string, NonNullable<ServicePlan['serviceType']>> = {
  clusterip: 'ClusterIP',
  nodeport: 'NodePort',
  loadbalancer: 'LoadBalancer',
  headless: 'headless',
  none: 'headless',
};

function chooseServiceType(
  ctx: TransformContext,
  s: ComposeService,
  kind: ControllerKind,
  ports: ServicePortPlan[],
): ServicePlan['serviceType'] {
  const label = s.labels[CONTROL_LABELS.serviceType];
  if (label !== undefined) {
    const type = SERVICE_TYPES[label.toLowerCase()];
    if (!type)
      throw ctx.error(
        ['services', s.name, 'labels', CONTROL_LABELS.serviceType],
        `must be ClusterIP, NodePort, LoadBalancer or headless, not '${label}'.`,
      );
    if (type !== 'headless' && ports.length === 0)
      throw ctx.error(
        ['services', s.name, 'labels', CONTROL_LABELS.serviceType],
        `asks for a ${type} Service, but the service has no ports or expose.`,
      );
    return type;
  }
  if (kind === 'StatefulSet' || s.deploy?.other['endpoint_mode'] === 'dnsrr') return 'headless';
  if (ports.length === 0) return undefined;
  if (kind === 'Job' || kind === 'CronJob') {
    ctx.warn(
      ['services', s.name, s.ports.length ? 'ports' : 'expose'],
      `gets no Service: the service becomes a ${kind}, which runs to completion (label it ${CONTROL_LABELS.serviceType} to publish it anyway).`,
    );
    return undefined;
  }
  return s.ports.length > 0 ? (ctx.options.serviceType ?? 'ClusterIP') : 'ClusterIP';
}

/** Plans every service; names are checked (DNS-1123 / DNS-1035, 63 characters) and must stay unique. */
export function planServices(ctx: TransformContext): ServicePlan[] {
  const byName = new Map<string, string>();
  const owners = planSharedPods(ctx);
  const plans = ctx.project.services.map((s): ServicePlan => {
    const name = toKubernetesName(s.name);
    const { kind, job } = chooseKind(ctx, s);
    const joins = owners.get(s.name);
    const ports = joins ? [] : planPorts(ctx, [s, ...podMembers(owners, s.name, ctx.project.services)]);
    const serviceType = joins ? undefined : chooseServiceType(ctx, s, kind, ports);
    const problem = dnsLabelProblem(name, { maxLength: kind === 'CronJob' ? 52 : 63, startWithLetter: serviceType !== undefined });
    if (problem)
      throw ctx.error(
        ['services', s.name],
        `cannot become the name of a ${kind}${serviceType ? ' and its Service' : ''}: '${name}' is not valid: ${problem}.`,
      );
    if (name !== s.name)
      ctx.warn(
        ['services', s.name],
        `is named '${name}' in Kubernetes (lower case, '_' and '.' become '-'): other services reach it by that name.`,
      );
    const clash = byName.get(name);
    if (clash) throw ctx.error(['services', s.name], `and services.${clash} both become the Kubernetes name '${name}'.`);
    byName.set(name, s.name);
    const replicas = s.deploy?.replicas ?? s.scale ?? 1;
    return {
      service: s,
      name,
      kind,
      ...(job ? { job } : {}),
      replicas,
      ports,
      ...(serviceType ? { serviceType } : {}),
      ...(joins ? { podOf: joins } : {}),
      ...planMetadata(ctx, s),
    };
  });
  // A service that joins another's pod runs as that pod's workload runs.
  const byService = new Map(plans.map((p) => [p.service.name, p]));
  for (const p of plans) {
    if (!p.podOf) continue;
    const owner = byService.get(p.podOf)!;
    p.kind = owner.kind;
    if (owner.job) p.job = owner.job;
    else delete p.job;
  }
  return plans;
}
