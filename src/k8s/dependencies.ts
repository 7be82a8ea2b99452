import type { Container } from 'kubernetes-types/core/v1';
import type { TransformContext } from './context';
import { toKubernetesName } from './names';
import type { ServicePlan } from './service-plan';

/**
 * depends_on → init containers. service_started and service_healthy wait until the dependency's
 * Service accepts connections (a Service routes only to ready pods, so with a healthcheck-derived
 * readinessProbe that means healthy); service_completed_successfully waits for the dependency's Job
 * to complete, through `kubectl wait` with a ServiceAccount allowed to read Jobs.
 */

/** The name of the ServiceAccount (and Role, RoleBinding) that may wait for Jobs. */
export function jobWaiterName(ctx: TransformContext): string {
  return `${toKubernetesName(ctx.project.name).slice(0, 50).replace(/-+$/, '')}-job-waiter`;
}

/** Init containers for a service's dependencies; `needsJobWaiter` tells whether the pod must use the waiter ServiceAccount. */
export function dependencyInitContainers(
  ctx: TransformContext,
  plan: ServicePlan,
  plans: Map<string, ServicePlan>,
): { containers: Container[]; needsJobWaiter: boolean } {
  const containers: Container[] = [];
  let needsJobWaiter = false;
  for (const dep of Object.keys(plan.service.dependsOn).sort()) {
    const d = plan.service.dependsOn[dep];
    const named = plans.get(dep);
    // A service in another's pod (network_mode: service:x) is reached through that pod; one in the same pod starts with it.
    const target = named?.podOf ? plans.get(named.podOf) : named;
    const path = d.implicit ? ['services', plan.service.name, d.implicit] : ['services', plan.service.name, 'depends_on', dep];
    if (!target || target.service.name === (plan.podOf ?? plan.service.name)) continue;
    if (d.restart) ctx.warn([...path, 'restart'], 'asks to restart with the dependency, which Kubernetes does not do: ignored.');
    const name = `wait-for-${target.name}`.slice(0, 63).replace(/-+$/, '');
    if (d.condition === 'service_completed_successfully') {
      if (target.kind !== 'Job') {
        ctx.warn(path, `waits for ${dep} to complete, but ${dep} becomes a ${target.kind}, not a Job: not enforced.`);
        continue;
      }
      needsJobWaiter = true;
      containers.push({
        name,
        image: ctx.options.kubectlImage,
        command: ['kubectl', 'wait', '--for=condition=complete', '--timeout=-1s', `job/${target.name}`],
      });
      continue;
    }
    // nc -z checks TCP only: a UDP port would never answer.
    const tcp = target.ports.filter((p) => p.protocol === 'TCP');
    const port = tcp.find((p) => p.port === p.targetPort) ?? tcp[0];
    if (target.serviceType && target.ports.length > 0 && !port) {
      ctx.warn(path, `waits for ${dep}, whose Service has no TCP port to check: the start order is not enforced.`);
      continue;
    }
    if (!target.serviceType || !port) {
      ctx.warn(path, `waits for ${dep}, which has no ports or expose (so no Service to wait for): the start order is not enforced.`);
      continue;
    }
    const script = `until nc -z -w 2 ${target.name} ${port.port}; do echo "waiting for ${target.name}:${port.port}"; sleep 2; done`;
    containers.push({ name, image: ctx.options.waitImage, command: ['sh', '-c', script] });
  }
  return { containers, needsJobWaiter };
}

/** Emits the ServiceAccount, Role and RoleBinding that let init containers wait for Jobs. */
export function emitJobWaiter(ctx: TransformContext): void {
  const name = jobWaiterName(ctx);
  ctx.add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: ctx.metadata(name, name) });
  ctx.add({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: ctx.metadata(name, name),
    rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
  });
  ctx.add({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: ctx.metadata(name, name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, ...(ctx.options.namespace ? { namespace: ctx.options.namespace } : {}) }],
  });
}
