import type { ChartValues, ServiceValues } from './values';

/**
 * values.schema.json: every value the chart reads, typed, with no room for a key the chart does
 * not know, so that `helm install`/`upgrade`/`template` reject a typo or a wrong type.
 */

type Schema = Record<string, unknown>;

const STRING: Schema = { type: 'string' };
const STRING_MAP: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const QUANTITY: Schema = { type: ['string', 'number'] };

function object(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

const IMAGE = object({
  repository: { type: 'string', minLength: 1 },
  tag: { type: ['string', 'number'] },
  digest: { type: 'string', pattern: '^$|^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$' },
  pullPolicy: { enum: ['', 'Always', 'IfNotPresent', 'Never'] },
});

const RESOURCES = object(
  {
    limits: { type: 'object', additionalProperties: QUANTITY },
    requests: { type: 'object', additionalProperties: QUANTITY },
    claims: { type: 'array', items: object({ name: STRING }) },
  },
  [],
);

const PORT = object(
  {
    name: STRING,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    targetPort: { type: ['integer', 'string'] },
    protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
    nodePort: { type: 'integer', minimum: 1, maximum: 65535 },
    appProtocol: STRING,
  },
  ['port'],
);

const INGRESS = object({
  enabled: { type: 'boolean' },
  className: STRING,
  hosts: {
    type: 'array',
    items: object({
      host: STRING,
      paths: {
        type: 'array',
        items: object({ path: { type: 'string', pattern: '^/' }, pathType: { enum: ['Prefix', 'Exact', 'ImplementationSpecific'] } }),
      },
    }),
  },
  tls: { type: 'array', items: object({ secretName: STRING, hosts: { type: 'array', items: STRING } }, []) },
});

const CLAIM = object({
  size: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?([KMGTPE]i|[kMGTPE])?$' },
  storageClass: STRING,
});

/** Shared parts, referenced ($ref) from every service and claim, so the schema stays small for many services. */
const SHARED: Record<string, Schema> = { image: IMAGE, resources: RESOURCES, port: PORT, ingress: INGRESS, claim: CLAIM };
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

/** The name of the definition of a service's values: what it has besides what every service has. */
function variantOf(values: ServiceValues): string {
  const parts = ['workload'];
  if (values.replicaCount !== undefined) parts.push('replicas');
  if (values.service) parts.push(values.service.type !== undefined ? 'service' : 'headless-service');
  if (values.ingress) parts.push('ingress');
  return parts.join('-');
}

function serviceSchema(values: ServiceValues): Schema {
  const properties: Record<string, Schema> = {
    image: ref('image'),
    resources: ref('resources'),
    env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    nodeSelector: STRING_MAP,
    tolerations: { type: 'array', items: { type: 'object' } },
    affinity: { type: 'object' },
    podAnnotations: STRING_MAP,
  };
  if (values.replicaCount !== undefined) properties['replicaCount'] = { type: 'integer', minimum: 0 };
  if (values.service) {
    properties['service'] = object({
      ...(values.service.type !== undefined ? { type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] } } : {}),
      ports: { type: 'array', items: ref('port') },
    });
  }
  if (values.ingress) properties['ingress'] = ref('ingress');
  return object(properties);
}

/** The JSON schema of a chart's values. */
export function valuesSchema(values: ChartValues): Schema {
  const definitions: Record<string, Schema> = { ...SHARED };
  const services: Record<string, Schema> = {};
  for (const [name, v] of Object.entries(values.services)) {
    const variant = variantOf(v);
    definitions[variant] ??= serviceSchema(v);
    services[name] = ref(variant);
  }
  const persistence = Object.fromEntries(Object.keys(values.persistence).map((name) => [name, ref('claim')]));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Values',
    definitions,
    ...object(
      {
        nameOverride: STRING,
        fullnameOverride: STRING,
        imagePullSecrets: { type: 'array', items: object({ name: { type: 'string', minLength: 1 } }) },
        commonLabels: STRING_MAP,
        namespaceOverride: { type: 'string', maxLength: 63, pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
        services: object(services),
        persistence: object(persistence),
        global: { type: 'object' },
      },
      ['imagePullSecrets', 'commonLabels', 'namespaceOverride', 'services', 'persistence'],
    ),
  };
}
