import { asRecord, podTemplateOf } from '../decorate';
import { toKubernetesName } from '../names';
import type { KubernetesObject, RenderedImage } from '../objects';

/**
 * The chart's values, read off the converted objects: what the converter decided is each value's
 * default, so that `helm template` with the default values gives the converter's objects. The
 * names follow `helm create` and the common charts.
 */

/** The workload kinds a service becomes. */
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
/** Workload kinds with a replica count. */
export const SCALED_KINDS = new Set(['Deployment', 'StatefulSet']);

/** `image` of a service. */
export interface ImageValues {
  repository: string;
  tag: string;
  /** `sha256:…`; when set it wins over the tag (`repository@digest`). */
  digest: string;
  pullPolicy: string;
}

/** One host of an Ingress. */
export interface IngressHostValues {
  host: string;
  paths: Array<{ path: string; pathType: string }>;
}

/** `ingress` of a service. */
export interface IngressValues {
  enabled: boolean;
  className: string;
  hosts: IngressHostValues[];
  tls: Array<{ secretName?: string; hosts?: string[] }>;
}

/** The values of one service (keyed by its Kubernetes name). */
export interface ServiceValues {
  image: ImageValues;
  /** Deployments and StatefulSets only. */
  replicaCount?: number;
  resources: Record<string, unknown>;
  /** Extra environment, NAME: value; it wins over the compose file's. */
  env: Record<string, string>;
  /** Services with a Service only; `type` is absent for a headless one. */
  service?: { type?: string; ports: Array<Record<string, unknown>> };
  /** Services whose Service is not headless. */
  ingress?: IngressValues;
  nodeSelector: Record<string, string>;
  tolerations: unknown[];
  affinity: Record<string, unknown>;
  podAnnotations: Record<string, string>;
}

/** The whole values.yaml. */
export interface ChartValues {
  nameOverride: string;
  fullnameOverride: string;
  imagePullSecrets: Array<{ name: string }>;
  commonLabels: Record<string, string>;
  namespaceOverride: string;
  services: Record<string, ServiceValues>;
  persistence: Record<string, { size: string; storageClass: string }>;
}

/** Where a service's Ingress routes to (its Service and port). */
export interface IngressBackend {
  service: string;
  port: number;
}

/** Splits an image as the converter wrote it into repository, tag and digest. */
export function splitImage(image: string): Pick<ImageValues, 'repository' | 'tag' | 'digest'> {
  const at = image.indexOf('@');
  const named = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at + 1);
  const colon = named.lastIndexOf(':');
  if (colon > named.lastIndexOf('/')) return { repository: named.slice(0, colon), tag: named.slice(colon + 1), digest };
  return { repository: named, tag: '', digest };
}

/** The main container of a workload: the converter builds one per pod. */
export function mainContainer(workload: KubernetesObject): Record<string, unknown> {
  const spec = asRecord(podTemplateOf(workload)?.['spec']);
  return asRecord((spec?.['containers'] as unknown[] | undefined)?.[0]) ?? {};
}

/** The pod spec of a workload. */
export function podSpecOf(workload: KubernetesObject): Record<string, unknown> {
  return asRecord(podTemplateOf(workload)?.['spec']) ?? {};
}

function ingressValues(ingress: KubernetesObject | undefined): IngressValues {
  if (!ingress) return { enabled: false, className: '', hosts: [{ host: '', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [] };
  const spec = asRecord(ingress['spec']) ?? {};
  const rules = (spec['rules'] as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    enabled: true,
    className: (spec['ingressClassName'] as string | undefined) ?? '',
    hosts: rules.map((rule) => ({
      host: (rule['host'] as string | undefined) ?? '',
      paths: ((asRecord(rule['http'])?.['paths'] as Array<Record<string, unknown>> | undefined) ?? []).map((p) => ({
        path: String(p['path']),
        pathType: String(p['pathType']),
      })),
    })),
    tls: (spec['tls'] as IngressValues['tls'] | undefined) ?? [],
  };
}

/** The backend of a service's Ingress: the converter's, else the first port of its Service. */
function ingressBackend(
  name: string,
  ingress: KubernetesObject | undefined,
  service: KubernetesObject | undefined,
): IngressBackend | undefined {
  const rules = (asRecord(ingress?.['spec'])?.['rules'] as Array<Record<string, unknown>> | undefined) ?? [];
  const path = (asRecord(rules[0]?.['http'])?.['paths'] as Array<Record<string, unknown>> | undefined)?.[0];
  const backend = asRecord(asRecord(path?.['backend'])?.['service']);
  if (backend) return { service: String(backend['name']), port: Number(asRecord(backend['port'])?.['number']) };
  const spec = asRecord(service?.['spec']);
  const port = (spec?.['ports'] as Array<{ port: number }> | undefined)?.[0];
  if (!service || !port || spec?.['clusterIP'] === 'None') return undefined;
  return { service: name, port: port.port };
}

/** The objects of one service, found by name and kind. */
export interface ServiceObjects {
  workload: KubernetesObject;
  service?: KubernetesObject;
  ingress?: KubernetesObject;
  backend?: IngressBackend;
}

/** Groups the converter's objects by service: each workload with its Service and Ingress of the same name. */
export function serviceObjects(objects: readonly KubernetesObject[]): ServiceObjects[] {
  const byKey = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  const find = (kind: string, name: string): KubernetesObject | undefined => byKey.get(`${kind}/${name}`);
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((workload) => {
      const name = workload.metadata.name;
      const service = find('Service', name);
      const ingress = find('Ingress', name);
      const backend = ingressBackend(name, ingress, service);
      return { workload, ...(service ? { service } : {}), ...(ingress ? { ingress } : {}), ...(backend ? { backend } : {}) };
    });
}

function serviceValues(group: ServiceObjects): ServiceValues {
  const { workload, service, ingress, backend } = group;
  const container = mainContainer(workload);
  const pod = podSpecOf(workload);
  const values: ServiceValues = {
    image: { ...splitImage(String(container['image'])), pullPolicy: (container['imagePullPolicy'] as string | undefined) ?? '' },
    resources: asRecord(container['resources']) ?? {},
    env: {},
    nodeSelector: { ...((pod['nodeSelector'] as Record<string, string> | undefined) ?? {}) },
    tolerations: (pod['tolerations'] as unknown[] | undefined) ?? [],
    affinity: asRecord(pod['affinity']) ?? {},
    podAnnotations: {},
  };
  if (SCALED_KINDS.has(workload.kind)) values.replicaCount = Number(asRecord(workload['spec'])?.['replicas'] ?? 1);
  const serviceSpec = asRecord(service?.['spec']);
  if (serviceSpec?.['ports']) {
    values.service = {
      ...(serviceSpec['type'] !== undefined ? { type: String(serviceSpec['type']) } : {}),
      ports: serviceSpec['ports'] as Array<Record<string, unknown>>,
    };
  }
  if (backend) values.ingress = ingressValues(ingress);
  return values;
}

function claimValues(spec: Record<string, unknown>): { size: string; storageClass: string } {
  const storage = asRecord(asRecord(spec['resources'])?.['requests'])?.['storage'];
  const storageClass = spec['storageClassName'];
  return {
    size: String(storage ?? '1Gi'),
    storageClass: storageClass === undefined ? '' : storageClass === '' ? '-' : String(storageClass),
  };
}

/**
 * The default values of the chart of these objects. `images` (the converter's) gives the tag of an
 * image pinned by digest, which the manifests leave out: the digest wins, the tag is for people.
 */
export function chartValues(objects: readonly KubernetesObject[], images: readonly RenderedImage[] = []): ChartValues {
  const services: Record<string, ServiceValues> = {};
  for (const group of serviceObjects(objects)) services[group.workload.metadata.name] = serviceValues(group);
  for (const image of images) {
    const values = services[toKubernetesName(image.service)]?.image;
    if (values && values.digest && !values.tag) values.tag = splitImage(image.image).tag;
  }
  const persistence: ChartValues['persistence'] = {};
  for (const object of objects) {
    if (object.kind === 'PersistentVolumeClaim') persistence[object.metadata.name] = claimValues(asRecord(object['spec']) ?? {});
    if (object.kind === 'StatefulSet') {
      for (const template of (asRecord(object['spec'])?.['volumeClaimTemplates'] as Array<Record<string, unknown>> | undefined) ?? []) {
        persistence[String(asRecord(template['metadata'])?.['name'])] = claimValues(asRecord(template['spec']) ?? {});
      }
    }
  }
  const namespace = objects.find((o) => o.metadata.namespace)?.metadata.namespace ?? '';
  return {
    nameOverride: '',
    fullnameOverride: '',
    imagePullSecrets: [],
    commonLabels: {},
    namespaceOverride: namespace,
    services,
    persistence,
  };
}

/** Just the digests of the pinned images: a values file that promotes a digest set into an existing chart. */
export function digestValues(values: ChartValues): { services: Record<string, { image: { digest: string } }> } {
  const services: Record<string, { image: { digest: string } }> = {};
  for (const [name, service] of Object.entries(values.services))
    if (service.image.digest) services[name] = { image: { digest: service.image.digest } };
  return { services };
}
