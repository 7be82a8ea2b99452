import type { ServicePort } from 'kubernetes-types/core/v1';
import { CONTROL_LABELS, type TransformContext } from './context';
import type { ServicePlan } from './service-plan';

/** ports and expose → a Service; ingress labels → an Ingress. */

function servicePorts(plan: ServicePlan, withNodePorts: boolean): ServicePort[] {
  return plan.ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: p.targetPort,
    protocol: p.protocol,
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    ...(withNodePorts && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
  }));
}

/** The name of the Service that exposes a service's published ports outside the cluster when its own Service cannot. */
function externalServiceName(plan: ServicePlan): string {
  return `${plan.name.slice(0, 54).replace(/-+$/, '')}-external`;
}

/**
 * Emits the Service of a service (and the headless one a StatefulSet needs when its own is not
 * headless). A NodePort or LoadBalancer Service exposes every port it has; when the service also
 * has ports Compose does not publish (a container port behind `81:5000`, `expose`), its own Service
 * stays ClusterIP (peers call it by name there) and `<name>-external` exposes only the published ports.
 */
export function emitServices(ctx: TransformContext, plan: ServicePlan): void {
  const type = plan.serviceType;
  if (!type) return;
  const selector = ctx.selectorLabels(plan.name);
  const annotations = plan.annotations;
  const outside = type === 'NodePort' || type === 'LoadBalancer';
  const inside = outside && plan.ports.some((p) => !p.published);
  const spec: Record<string, unknown> = { selector };
  if (type === 'headless') spec['clusterIP'] = 'None';
  else spec['type'] = inside ? 'ClusterIP' : type;
  if (plan.ports.length) spec['ports'] = servicePorts(plan, outside && !inside);
  ctx.add({ apiVersion: 'v1', kind: 'Service', metadata: ctx.metadata(plan.name, plan.name, { annotations }), spec });
  if (inside && plan.ports.some((p) => p.published)) {
    const published = { ...plan, ports: plan.ports.filter((p) => p.published) };
    ctx.add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: ctx.metadata(externalServiceName(plan), plan.name, { annotations }),
      spec: { selector, type, ports: servicePorts(published, true) },
    });
  }
  if (plan.kind === 'StatefulSet' && type !== 'headless') {
    const headless: Record<string, unknown> = { selector, clusterIP: 'None' };
    if (plan.ports.length) headless['ports'] = servicePorts(plan, false);
    ctx.add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: ctx.metadata(`${plan.name}-headless`, plan.name, { annotations }),
      spec: headless,
    });
  }
}

/** The name of the StatefulSet's governing (headless) Service. */
export function governingServiceName(plan: ServicePlan): string {
  return plan.serviceType === 'headless' ? plan.name : `${plan.name}-headless`;
}

/** Emits an Ingress when the service's labels ask for one. */
export function emitIngress(ctx: TransformContext, plan: ServicePlan): void {
  const labels = plan.service.labels;
  const at = ['services', plan.service.name, 'labels'];
  const keys = [
    CONTROL_LABELS.ingress,
    CONTROL_LABELS.ingressHost,
    CONTROL_LABELS.ingressPath,
    CONTROL_LABELS.ingressTls,
    CONTROL_LABELS.ingressClass,
    CONTROL_LABELS.ingressPort,
  ];
  if (!keys.some((k) => labels[k] !== undefined)) return;
  if (labels[CONTROL_LABELS.ingress] !== undefined && !['true', 'false'].includes(labels[CONTROL_LABELS.ingress])) {
    throw ctx.error([...at, CONTROL_LABELS.ingress], `must be true or false, not '${labels[CONTROL_LABELS.ingress]}'.`);
  }
  if (labels[CONTROL_LABELS.ingress] === 'false') return;
  if (!plan.serviceType || plan.ports.length === 0)
    throw ctx.error([...at, CONTROL_LABELS.ingress], 'asks for an Ingress, but the service has no ports for it to route to.');
  const host = labels[CONTROL_LABELS.ingressHost] ?? ctx.options.ingressHost;
  const path = labels[CONTROL_LABELS.ingressPath] ?? '/';
  if (!path.startsWith('/')) throw ctx.error([...at, CONTROL_LABELS.ingressPath], `must start with '/', not '${path}'.`);
  const wanted = labels[CONTROL_LABELS.ingressPort];
  const port =
    wanted === undefined
      ? (plan.ports.find((p) => p.published) ?? plan.ports[0])
      : plan.ports.find((p) => String(p.port) === wanted || p.name === wanted);
  if (!port) throw ctx.error([...at, CONTROL_LABELS.ingressPort], `names the port ${wanted}, which the service does not publish.`);
  const rule: Record<string, unknown> = {
    http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: plan.name, port: { number: port.port } } } }] },
  };
  if (host) rule['host'] = host;
  const spec: Record<string, unknown> = { rules: [rule] };
  const ingressClass = labels[CONTROL_LABELS.ingressClass];
  if (ingressClass) spec['ingressClassName'] = ingressClass;
  const tls = labels[CONTROL_LABELS.ingressTls];
  if (tls) {
    if (!host)
      throw ctx.error(
        [...at, CONTROL_LABELS.ingressTls],
        `needs a host (${CONTROL_LABELS.ingressHost} or the ingress host option) for TLS.`,
      );
    spec['tls'] = [{ hosts: [host], secretName: tls }];
  }
  ctx.add({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: ctx.metadata(plan.name, plan.name), spec });
}
