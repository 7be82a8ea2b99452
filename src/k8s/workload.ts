import { isIP } from 'node:net';
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { ComposeService } from '../compose/model';
import { buildContainer, containerEnv } from './container';
import type { TransformContext } from './context';
import { dependencyInitContainers, jobWaiterName } from './dependencies';
import { dnsLabelProblem, toKubernetesName } from './names';
import { governingServiceName } from './network';
import type { ServicePlan } from './plan';
import { seconds } from './quantities';
import { podStorage, type StoragePlan } from './storage';

/** service → its workload (Deployment, StatefulSet, DaemonSet, Job or CronJob) with its pod template. */

function podSpecExtras(ctx: TransformContext, s: ComposeService, spec: PodSpec): void {
  if (s.hostname !== undefined) {
    const hostname = toKubernetesName(s.hostname);
    const problem = dnsLabelProblem(hostname);
    if (problem) throw ctx.error(['services', s.name, 'hostname'], `'${s.hostname}' cannot be a pod hostname: ${problem}.`);
    if (hostname !== s.hostname) ctx.warn(['services', s.name, 'hostname'], `'${s.hostname}' becomes the pod hostname '${hostname}' (lower case, '_' and '.' become '-').`);
    spec.hostname = hostname;
  }
  if (s.domainname !== undefined) ctx.warn(['services', s.name, 'domainname'], 'has no direct Kubernetes equivalent (a pod subdomain needs a headless Service): ignored.');
  if (s.extraHosts.length) {
    const byIp = new Map<string, string[]>();
    s.extraHosts.forEach(({ host, ip }) => {
      if (isIP(ip) === 0) ctx.warn(['services', s.name, 'extra_hosts'], `maps ${host} to '${ip}', which is not an IP address (host-gateway has no meaning in a cluster): left out.`);
      else byIp.set(ip, [...(byIp.get(ip) ?? []), host]);
    });
    if (byIp.size) spec.hostAliases = [...byIp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ip, hostnames]) => ({ ip, hostnames }));
  }
  if (s.dns.length || s.dnsSearch.length || s.dnsOptions.length) {
    // Added to the cluster's DNS settings (dnsPolicy stays ClusterFirst, so Service names still resolve).
    spec.dnsConfig = {
      ...(s.dns.length ? { nameservers: s.dns } : {}),
      ...(s.dnsSearch.length ? { searches: s.dnsSearch } : {}),
      ...(s.dnsOptions.length ? { options: s.dnsOptions.map((o) => { const [name, value] = o.split(/[:=]/, 2); return value === undefined ? { name } : { name, value }; }) } : {}),
    };
  }
  if (s.stopGracePeriodMs !== undefined) spec.terminationGracePeriodSeconds = seconds(s.stopGracePeriodMs, 0);
  const securityContext: NonNullable<PodSpec['securityContext']> = {};
  const sysctls = Object.keys(s.sysctls).sort().map((name) => ({ name, value: s.sysctls[name] }));
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
    if (os) nodeSelector['kubernetes.io/os'] = os;
    if (arch) nodeSelector['kubernetes.io/arch'] = arch;
  }
  const placement = s.deploy?.other['placement'] as { constraints?: unknown[] } | undefined;
  (placement?.constraints ?? []).forEach((c, i) => {
    const m = /^node\.labels\.([^=!\s]+)\s*==\s*(\S+)$/.exec(String(c));
    if (m) nodeSelector[m[1]] = m[2];
    else ctx.warn(['services', s.name, 'deploy', 'placement', 'constraints', i], `'${String(c)}' is not converted (only node.labels.KEY==VALUE becomes a nodeSelector): ignored.`);
  });
  if (Object.keys(nodeSelector).length) spec.nodeSelector = nodeSelector;
}

/** Builds the pod template and the workload object of a planned service; returns the env ConfigMap data. */
export function emitWorkload(ctx: TransformContext, plan: ServicePlan, plans: Map<string, ServicePlan>, storage: StoragePlan, image: string): { needsJobWaiter: boolean } {
  const s = plan.service;
  const { fromFile } = containerEnv(s);
  const envConfigMap = Object.keys(fromFile).length ? `${plan.name}-env` : undefined;
  if (envConfigMap) ctx.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: ctx.metadata(envConfigMap, plan.name), data: fromFile });
  const container = buildContainer(ctx, plan, image, envConfigMap);
  const volumes = podStorage(ctx, plan, storage);
  if (volumes.mounts.length) container.volumeMounts = volumes.mounts;
  const spec: PodSpec = { containers: [container] };
  const deps = dependencyInitContainers(ctx, plan, plans);
  if (deps.containers.length) spec.initContainers = deps.containers;
  if (deps.needsJobWaiter) spec.serviceAccountName = jobWaiterName(ctx);
  if (volumes.volumes.length) spec.volumes = volumes.volumes;
  podSpecExtras(ctx, s, spec);
  if (plan.job) spec.restartPolicy = plan.job.restartPolicy;

  const annotations = plan.annotations;
  const podMeta = ctx.metadata(plan.name, plan.name, { annotations });
  const template: PodTemplateSpec = { metadata: { labels: podMeta.labels, ...(podMeta.annotations ? { annotations: podMeta.annotations } : {}) }, spec };
  const meta = ctx.metadata(plan.name, plan.name, { labels: plan.labels, annotations });
  const selector = { matchLabels: ctx.selectorLabels(plan.name) };
  switch (plan.kind) {
    case 'Deployment':
      ctx.add({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
        spec: { replicas: plan.replicas, selector, template, ...(volumes.singleAttach ? { strategy: { type: 'Recreate' } } : {}) },
      });
      break;
    case 'StatefulSet':
      ctx.add({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta,
        spec: {
          replicas: plan.replicas, selector, serviceName: governingServiceName(plan), template,
          ...(volumes.templates.length ? { volumeClaimTemplates: volumes.templates.map((t) => ({ metadata: { name: t.name, labels: ctx.standardLabels(t.name) }, spec: t.spec })) } : {}),
        },
      });
      break;
    case 'DaemonSet':
      if (plan.replicas !== 1 && (s.deploy?.replicas !== undefined || s.scale !== undefined)) ctx.warn(['services', s.name, 'deploy', 'replicas'], 'is ignored: a global service runs one pod per node.');
      ctx.add({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { selector, template } });
      break;
    case 'Job':
    case 'CronJob': {
      const jobSpec: Record<string, unknown> = { backoffLimit: plan.job!.backoffLimit, template };
      if (plan.replicas > 1) Object.assign(jobSpec, { completions: plan.replicas, parallelism: plan.replicas });
      if (plan.kind === 'Job') ctx.add({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: jobSpec });
      else {
        ctx.add({
          apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta,
          spec: { schedule: plan.job!.schedule, concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: podMeta.labels }, spec: jobSpec } },
        });
      }
      break;
    }
  }
  return { needsJobWaiter: deps.needsJobWaiter };
}
