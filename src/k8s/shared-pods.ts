import type { ComposeService } from '../compose/model';
import type { TransformContext } from './context';

/**
 * `network_mode: service:x` and `network_mode: container:x` share x's network namespace: the
 * service calls x on localhost. In Kubernetes only containers of one pod share it, so such a service
 * becomes a container of x's pod (as kompose does), never a workload of its own whose localhost
 * calls would silently fail. What cannot be put in one pod is an error naming the service.
 */

const SHARED = /^(service|container):(.+)$/;

/** The service whose pod each sharing service joins (following chains to the one that owns the pod), by service name. */
export function planSharedPods(ctx: TransformContext): Map<string, string> {
  const services = new Map(ctx.project.services.map((s) => [s.name, s]));
  const byContainerName = new Map<string, string>();
  for (const s of ctx.project.services) if (s.containerName) byContainerName.set(s.containerName, s.name);
  const joins = new Map<string, string>();
  for (const s of ctx.project.services) {
    const m = s.networkMode ? SHARED.exec(s.networkMode) : null;
    if (!m) continue;
    const target = m[1] === 'service' ? m[2] : (byContainerName.get(m[2]) ?? (services.has(m[2]) ? m[2] : undefined));
    const path = ['services', s.name, 'network_mode'];
    if (target === undefined || !services.has(target)) {
      const what =
        m[1] === 'service'
          ? `the service ${m[2]}, which is not an enabled service of this project`
          : `the container ${m[2]}, which is no container_name of this project's enabled services`;
      throw ctx.error(
        path,
        `shares the network of ${what}: its localhost calls could not work in Kubernetes, where only the containers of one pod share a network.`,
      );
    }
    if (target === s.name) throw ctx.error(path, 'shares the network of the service itself.');
    joins.set(s.name, target);
  }
  const owners = new Map<string, string>();
  for (const name of joins.keys()) {
    const seen = [name];
    let owner = joins.get(name)!;
    while (joins.has(owner)) {
      if (seen.includes(owner))
        throw ctx.error(
          ['services', name, 'network_mode'],
          `shares networks in a cycle (${[...seen, owner].join(' -> ')}): no service owns the pod.`,
        );
      seen.push(owner);
      owner = joins.get(owner)!;
    }
    owners.set(name, owner);
  }
  return owners;
}

/** The services that join the pod of `owner`, sorted. */
export function podMembers(owners: Map<string, string>, owner: string, services: readonly ComposeService[]): ComposeService[] {
  return services.filter((s) => owners.get(s.name) === owner);
}
