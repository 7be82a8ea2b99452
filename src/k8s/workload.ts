import { isIP } from 'node:net';
import type { Container, PodSpec, PodTemplateSpec, Volume } from 'kubernetes-types/core/v1';
import type { ComposeService } from '../compose/model';
import type { KeyPath } from '../compose/paths';
import { buildContainer, containerEnv } from './container';
import type { TransformContext } from './context';
import { dependencyInitContainers, jobWaiterName } from './dependencies';
import { dnsLabelProblem, dnsSubdomainProblem, toKubernetesName } from './names';
import { governingServiceName } from './network';
import type { ServicePlan } from './service-plan';
import { seconds } from './quantities';
import { podStorage, type PodStorage, type StoragePlan } from './storage';

/** The sysctls Kubernetes calls safe (namespaced, allowed by every kubelet). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/** The values of the kubernetes.io/os and kubernetes.io/arch node labels. */
const NODE_OS = new Set(['linux', 'windows']);
const NODE_ARCH = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le']);

/** The nameservers a pod's dnsConfig may list (the API server refuses more), and that a resolver reads in all. */
const MAX_NAMESERVERS = 3;

/**
 * A service's `dns` servers become the pod's dnsConfig.nameservers, which the API server takes only
 * as at most 3 IP addresses: anything else is an error naming the key. Under ClusterFirst they come
 * after the cluster DNS, which answers names itself instead of forwarding them as Docker's DNS does,
 * so the warning says what differs from Compose (and which server the resolver never reads).
 */
function checkNameservers(ctx: TransformContext, s: ComposeService): void {
  const at: KeyPath = ['services', s.name, 'dns'];
  if (s.dns.length > MAX_NAMESERVERS) {
    throw ctx.error(
      at,
      `lists ${s.dns.length} servers; a pod's dnsConfig takes at most ${MAX_NAMESERVERS} nameservers (the API server refuses more).`,
    );
  }
  s.dns.forEach((server, i) => {
    if (isIP(server) === 0)
      throw ctx.error([...at, i], `'${server}' is not an IP address; a pod's dnsConfig takes only IP addresses as nameservers.`);
  });
  const servers = s.dns.join(', ');
  const unread = s.dns.slice(MAX_NAMESERVERS - 1);
  ctx.warn(
    at,
    `becomes the pod's dnsConfig nameservers, after the cluster DNS (dnsPolicy ClusterFirst, so Service names resolve). ` +
      `Unlike Compose, where Docker forwards every name that is not a service to ${servers}, the cluster DNS answers other names ` +
      `through its own upstream; the resolver tries ${servers} only when the cluster DNS does not answer at all, so a name only ${servers} ` +
      `can resolve fails here: make the cluster DNS forward that zone (a CoreDNS stub domain).` +
      (unread.length
        ? ` A resolver reads at most ${MAX_NAMESERVERS} servers, the cluster DNS first, so ${unread.join(', ')} is never tried.`
        : ''),
  );
}

/** service → its workload (Deployment, StatefulSet, DaemonSet, Job or CronJob) with its pod template. */

function podSpecExtras(ctx: TransformContext, s: ComposeService, spec: PodSpec): void {
  if (s.hostname !== undefined) {
    const hostname = toKubernetesName(s.hostname);
    const problem = dnsLabelProblem(hostname);
    if (problem) throw ctx.error(['services', s.name, 'hostname'], `'${s.hostname}' cannot be a pod hostname: ${problem}.`);
    if (hostname !== s.hostname)
      ctx.warn(
        ['services', s.name, 'hostname'],
        `'${s.hostname}' becomes the pod hostname '${hostname}' (lower case, '_' and '.' become '-').`,
      );
    spec.hostname = hostname;
  }
  if (s.domainname !== undefined)
    ctx.warn(
      ['services', s.name, 'domainname'],
      'has no direct Kubernetes equivalent (a pod subdomain needs a headless Service): ignored.',
    );
  if (s.extraHosts.length) {
    const byIp = new Map<string, string[]>();
    s.extraHosts.forEach(({ host, ip }) => {
      if (isIP(ip) === 0)
        ctx.warn(
          ['services', s.name, 'extra_hosts'],
          `maps ${host} to '${ip}', which is not an IP address (host-gateway has no meaning in a cluster): left out.`,
        );
      else byIp.set(ip, [...(byIp.get(ip) ?? []), host]);
    });
    if (byIp.size)
      spec.hostAliases = [...byIp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ip, hostnames]) => ({ ip, hostnames }));
  }
  if (s.dns.length) checkNameservers(ctx, s);
  if (s.dns.length || s.dnsSearch.length || s.dnsOptions.length) {
    // Added to the cluster's DNS settings (dnsPolicy stays ClusterFirst, so Service names still resolve).
    spec.dnsConfig = {
      ...(s.dns.length ? { nameservers: s.dns } : {}),
      ...(s.dnsSearch.length ? { searches: s.dnsSearch } : {}),
      ...(s.dnsOptions.length
        ? {
            options: s.dnsOptions.map((o) => {
              const [name, value] = o.split(/[:=]/, 2);
              return value === undefined ? { name } : { name, value };
            }),
          }
        : {}),
    };
  }
  if (s.stopGracePeriodMs !== undefined) spec.terminationGracePeriodSeconds = seconds(s.stopGracePeriodMs, 0);
  const securityContext: NonNullable<PodSpec['securityContext']> = {};
  const sysctls = Object.keys(s.sysctls)
    .sort()
    .map((name) => ({ name, value: s.sysctls[name] }));
  for (const { name } of sysctls) {
    if (!SAFE_SYSCTLS.has(name))
      ctx.warn(
        ['services', s.name, 'sysctls', name],
        `is not a safe sysctl in Kubernetes: the kubelet refuses the pod unless the node allows it (--allowed-unsafe-sysctls).`,
      );
  }
  if (sysctls.length) securityContext.sysctls = sysctls;
  const groups: number[] = [];
  s.groupAdd.forEach((g, i) => {
    if (/^\d+$/.test(g)) groups.push(Number(g));
    else ctx.warn(['services', s.name, 'group_add', i], `'${g}' is a group name; Kubernetes needs a numeric gid: ignored.`);
  });
  if (groups.length) securityContext.supplementalGroups = groups;
  if (Object.keys(securityContext).length) spec.securityContext = securityContext;
  const nodeSelector: Record<string, string> = {};
  if (s.platform !== undefined) {
    const [os, arch] = s.platform.split('/');
    // Only a node OS and architecture can select nodes (wasi/wasm, say, is neither).
    if (NODE_OS.has(os) && (arch === undefined || NODE_ARCH.has(arch))) {
      nodeSelector['kubernetes.io/os'] = os;
      if (arch) nodeSelector['kubernetes.io/arch'] = arch;
    } else
      ctx.warn(
        ['services', s.name, 'platform'],
        `'${s.platform}' is not a node OS/architecture (${[...NODE_OS].join(', ')} / ${[...NODE_ARCH].join(', ')}): no nodeSelector; pick the nodes with a RuntimeClass (runtime:) or deploy.placement.`,
      );
  }
  const runtime = s.other['runtime'];
  if (typeof runtime === 'string' && runtime !== '' && runtime !== 'runc') {
    const problem = dnsSubdomainProblem(runtime);
    if (problem) ctx.warn(['services', s.name, 'runtime'], `'${runtime}' cannot be a RuntimeClass name (${problem}): ignored.`);
    else spec.runtimeClassName = runtime;
  }
  const placement = s.deploy?.other['placement'] as { constraints?: unknown[] } | undefined;
  (placement?.constraints ?? []).forEach((c, i) => {
    const m = /^node\.labels\.([^=!\s]+)\s*==\s*(\S+)$/.exec(String(c));
    if (m) nodeSelector[m[1]] = m[2];
    else
      ctx.warn(
        ['services', s.name, 'deploy', 'placement', 'constraints', i],
        `'${String(c)}' is not converted (only node.labels.KEY==VALUE becomes a nodeSelector): ignored.`,
      );
  });
  if (Object.keys(nodeSelector).length) spec.nodeSelector = nodeSelector;
}

/** One service's container in a pod, with what it brings to the pod. */
interface PodPart {
  container: Container;
  volumes: Volume[];
  initContainers: Container[];
  needsJobWaiter: boolean;
  storage: PodStorage;
}

function podPart(ctx: TransformContext, plan: ServicePlan, plans: Map<string, ServicePlan>, storage: StoragePlan, image: string): PodPart {
  const { fromFile } = containerEnv(plan.service);
  const envConfigMap = Object.keys(fromFile).length ? `${plan.name}-env` : undefined;
  if (envConfigMap) ctx.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: ctx.metadata(envConfigMap, plan.name), data: fromFile });
  const container = buildContainer(ctx, plan, image, envConfigMap);
  const volumes = podStorage(ctx, plan, storage);
  if (volumes.mounts.length) container.volumeMounts = volumes.mounts;
  const deps = dependencyInitContainers(ctx, plan, plans);
  return { container, volumes: volumes.volumes, initContainers: deps.containers, needsJobWaiter: deps.needsJobWaiter, storage: volumes };
}

/**
 * Adds the container of a service that shares the pod's network (network_mode: service:x) to the
 * pod: its volumes keep their names unless another of the pod's volumes has that name, and its
 * pod-level settings, which the owner's service decides, are named in a warning.
 */
function joinPod(ctx: TransformContext, spec: PodSpec, owner: ServicePlan, part: PodPart, member: ServicePlan): void {
  const volumes = spec.volumes ?? [];
  const renamed = new Map<string, string>();
  for (const v of part.volumes) {
    const same = volumes.find((o) => o.name === v.name);
    // One claim, Secret or ConfigMap is one volume of the pod; an emptyDir (tmpfs) stays each container's own.
    if (same && !v.emptyDir && JSON.stringify(same) === JSON.stringify(v)) continue;
    const name = same ? `${member.name}-${v.name}`.slice(0, 63).replace(/-+$/, '') : v.name;
    renamed.set(v.name, name);
    volumes.push({ ...v, name });
  }
  if (volumes.length) spec.volumes = volumes;
  for (const m of part.container.volumeMounts ?? []) m.name = renamed.get(m.name) ?? m.name;
  spec.containers.push(part.container);
  const init = spec.initContainers ?? [];
  for (const c of part.initContainers) if (!init.some((o) => o.name === c.name)) init.push(c);
  if (init.length) spec.initContainers = init;
  const extras: PodSpec = { containers: [] };
  podSpecExtras(ctx, member.service, extras);
  const set = Object.keys(extras).filter((k) => k !== 'containers');
  if (set.length)
    ctx.warn(
      ['services', member.service.name, 'network_mode'],
      `puts the service in the pod of ${owner.service.name}, whose service decides the pod's settings: its own settings (${set.sort().join(', ')}) are not applied.`,
    );
}

/** Builds the pod template and the workload object of a planned service (with the containers of the services that share its pod). */
export function emitWorkload(
  ctx: TransformContext,
  plan: ServicePlan,
  plans: Map<string, ServicePlan>,
  storage: StoragePlan,
  imageOf: (service: string) => string,
): { needsJobWaiter: boolean } {
  const s = plan.service;
  const own = podPart(ctx, plan, plans, storage, imageOf(s.name));
  const volumes = own.storage;
  const spec: PodSpec = { containers: [own.container] };
  if (own.initContainers.length) spec.initContainers = own.initContainers;
  if (own.volumes.length) spec.volumes = own.volumes;
  let needsJobWaiter = own.needsJobWaiter;
  const members = [...plans.values()].filter((p) => p.podOf === s.name).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const member of members) {
    const part = podPart(ctx, member, plans, storage, imageOf(member.service.name));
    joinPod(ctx, spec, plan, part, member);
    needsJobWaiter ||= part.needsJobWaiter;
    volumes.singleAttach ||= part.storage.singleAttach;
    for (const t of part.storage.templates) if (!volumes.templates.some((o) => o.name === t.name)) volumes.templates.push(t);
  }
  if (needsJobWaiter) spec.serviceAccountName = jobWaiterName(ctx);
  podSpecExtras(ctx, s, spec);
  if (plan.job) spec.restartPolicy = plan.job.restartPolicy;

  const annotations = plan.annotations;
  const podMeta = ctx.metadata(plan.name, plan.name, { annotations });
  const template: PodTemplateSpec = {
    metadata: { labels: podMeta.labels, ...(podMeta.annotations ? { annotations: podMeta.annotations } : {}) },
    spec,
  };
  const meta = ctx.metadata(plan.name, plan.name, { labels: plan.labels, annotations });
  const selector = { matchLabels: ctx.selectorLabels(plan.name) };
  switch (plan.kind) {
    case 'Deployment':
      ctx.add({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: { replicas: plan.replicas, selector, template, ...(volumes.singleAttach ? { strategy: { type: 'Recreate' } } : {}) },
      });
      break;
    case 'StatefulSet':
      ctx.add({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta,
        spec: {
          replicas: plan.replicas,
          selector,
          serviceName: governingServiceName(plan),
          template,
          ...(volumes.templates.length
            ? {
                volumeClaimTemplates: volumes.templates.map((t) => ({
                  metadata: { name: t.name, labels: ctx.standardLabels(t.name) },
                  spec: t.spec,
                })),
              }
            : {}),
        },
      });
      break;
    case 'DaemonSet':
      if (plan.replicas !== 1 && (s.deploy?.replicas !== undefined || s.scale !== undefined))
        ctx.warn(['services', s.name, 'deploy', 'replicas'], 'is ignored: a global service runs one pod per node.');
      ctx.add({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { selector, template } });
      break;
    case 'Job':
    case 'CronJob': {
      const jobSpec: Record<string, unknown> = { backoffLimit: plan.job!.backoffLimit, template };
      if (plan.replicas > 1) Object.assign(jobSpec, { completions: plan.replicas, parallelism: plan.replicas });
      if (plan.kind === 'Job') ctx.add({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: jobSpec });
      else {
        ctx.add({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: meta,
          spec: {
            schedule: plan.job!.schedule,
            concurrencyPolicy: 'Forbid',
            jobTemplate: { metadata: { labels: podMeta.labels }, spec: jobSpec },
          },
        });
      }
      break;
    }
  }
  return { needsJobWaiter };
}
