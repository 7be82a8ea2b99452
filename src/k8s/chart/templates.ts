import { asRecord, podTemplateOf } from '../decorate';
import type { KubernetesObject } from '../render';
import { blockHole, goDict, goString, Hole, includeBlockHole, inlineHole, optionalScalarHole, writeTemplate } from './template-writer';
import { mainContainer, podSpecOf, SCALED_KINDS, serviceObjects, WORKLOAD_KINDS, type ServiceObjects } from './values';

/**
 * The chart's templates/: one file per kind (`deployment.yaml`, `service.yaml`, … as `helm create`
 * names them) with a document per converted object, written from the object itself with the
 * values-backed keys turned into template actions, plus an Ingress that each service with a
 * Service can switch on.
 */

type Json = Record<string, unknown>;

const INSTANCE = 'app.kubernetes.io/instance';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const NAME = 'app.kubernetes.io/name';

/** One file of the chart, its path relative to the chart folder. */
export interface ChartFile {
  path: string;
  content: string;
}

function without(record: Record<string, string>, ...keys: string[]): Record<string, string> {
  const copy = { ...record };
  for (const key of keys) delete copy[key];
  return copy;
}

function isLabelMap(value: unknown): value is Record<string, string> {
  const map = asRecord(value);
  return map !== undefined && typeof map[INSTANCE] === 'string' && typeof map[NAME] === 'string' && Object.values(map).every((v) => typeof v === 'string');
}

/**
 * A copy of a converted object (or part of one) with its label sets replaced by the chart's
 * helpers: labels (with Helm's standard labels and commonLabels; only the stable ones in a
 * StatefulSet's claim templates, which cannot change) and selectors (instance = the release name).
 * One pass: copying and templating the labels are the bulk of a large chart's cost.
 */
function copyWithLabelHoles(node: unknown, chart: string, stable: boolean): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((item) => copyWithLabelHoles(item, chart, stable));
  const map = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map)) {
    const value = map[key];
    if ((key === 'labels' || key === 'matchLabels' || key === 'selector') && isLabelMap(value)) {
      const literal = goDict(without(value, INSTANCE, MANAGED_BY));
      out[key] = value[MANAGED_BY] !== undefined
        ? includeBlockHole(`include ${goString(`${chart}.labels`)} (dict "context" $ "labels" ${literal} "stable" ${stable})`)
        : includeBlockHole(`include ${goString(`${chart}.selectorLabels`)} (dict "context" $ "labels" ${literal})`);
    } else out[key] = copyWithLabelHoles(value, chart, stable || key === 'volumeClaimTemplates');
  }
  return out;
}

function namespaceHole(chart: string): Hole {
  return optionalScalarHole(`include ${goString(`${chart}.namespace`)} $`);
}

function persistenceOf(name: string): string {
  return `(index $.Values.persistence ${goString(name)})`;
}

function storageClassHole(claim: string): Hole {
  return new Hole((key, indent) => [
    `{{- with ${persistenceOf(claim)}.storageClass }}`,
    `${indent}${key}: {{ if eq . "-" }}""{{ else }}{{ . | toJson }}{{ end }}`,
    '{{- end }}',
  ].join('\n'));
}

/** A claim spec (PersistentVolumeClaim or claim template) sized and classed from persistence.<claim>. */
function templateClaim(spec: Json, claim: string): void {
  const requests = asRecord(asRecord(spec['resources'])?.['requests']);
  if (requests) requests['storage'] = inlineHole(`${persistenceOf(claim)}.size | toString | toJson`);
  spec['storageClassName'] = storageClassHole(claim);
}

function envHole(chart: string, container: Json): Hole | undefined {
  const env = (container['env'] as Array<Record<string, unknown>> | undefined) ?? [];
  if (!env.every((e) => typeof e['name'] === 'string' && typeof e['value'] === 'string' && Object.keys(e).length === 2)) return undefined;
  const base = Object.fromEntries(env.map((e) => [e['name'] as string, e['value'] as string]));
  return includeBlockHole(`include ${goString(`${chart}.env`)} (dict "base" ${goDict(base)} "extra" $s.env)`);
}

function templateWorkload(object: Json, chart: string): void {
  const kind = object['kind'] as string;
  const spec = asRecord(object['spec'])!;
  if (SCALED_KINDS.has(kind)) spec['replicas'] = inlineHole('$s.replicaCount');
  const template = podTemplateOf(object as unknown as KubernetesObject)!;
  const metadata = (asRecord(template['metadata']) ?? {}) as Json;
  metadata['annotations'] = blockHole(`merge (dict) $s.podAnnotations ${goDict((asRecord(metadata['annotations']) ?? {}) as Record<string, string>)}`);
  template['metadata'] = metadata;
  const pod = podSpecOf(object as unknown as KubernetesObject);
  pod['nodeSelector'] = blockHole('$s.nodeSelector');
  pod['tolerations'] = blockHole('$s.tolerations');
  pod['affinity'] = blockHole('$s.affinity');
  pod['imagePullSecrets'] = blockHole('$.Values.imagePullSecrets');
  const container = mainContainer(object as unknown as KubernetesObject);
  container['image'] = inlineHole(`include ${goString(`${chart}.image`)} $s.image | toJson`);
  container['imagePullPolicy'] = optionalScalarHole('$s.image.pullPolicy', '. | toJson');
  container['resources'] = blockHole('$s.resources');
  const env = envHole(chart, container);
  if (env) container['env'] = env;
  for (const claim of (spec['volumeClaimTemplates'] as Json[] | undefined) ?? []) templateClaim(asRecord(claim['spec'])!, String(asRecord(claim['metadata'])?.['name']));
}

function templateService(object: Json): void {
  const spec = asRecord(object['spec'])!;
  if (spec['type'] !== undefined) spec['type'] = inlineHole('$s.service.type | toJson');
  if (spec['ports'] !== undefined) spec['ports'] = blockHole('$s.service.ports');
}

/** The Ingress spec from `ingress` (hosts, paths, TLS, class), routing to the converter's backend. */
function ingressSpecHole(backend: { service: string; port: number }): Hole {
  return new Hole((key, i) => [
    `${i}${key}:`,
    '{{- with $s.ingress.className }}',
    `${i}  ingressClassName: {{ . | toJson }}`,
    '{{- end }}',
    `${i}  rules:`,
    '{{- range $s.ingress.hosts }}',
    `${i}    -`,
    '{{- with .host }}',
    `${i}      host: {{ . | toJson }}`,
    '{{- end }}',
    `${i}      http:`,
    `${i}        paths:`,
    '{{- range .paths }}',
    `${i}          - backend:`,
    `${i}              service:`,
    `${i}                name: ${JSON.stringify(backend.service)}`,
    `${i}                port:`,
    `${i}                  number: ${backend.port}`,
    `${i}            path: {{ .path | toJson }}`,
    `${i}            pathType: {{ .pathType | toJson }}`,
    '{{- end }}',
    '{{- end }}',
    '{{- with $s.ingress.tls }}',
    `${i}  tls:`,
    `${i}    {{- toYaml . | nindent ${i.length + 4} }}`,
    '{{- end }}',
  ].join('\n'));
}

function ingressObject(group: ServiceObjects): Json {
  if (group.ingress) return group.ingress as unknown as Json;
  const name = group.workload.metadata.name;
  const labels = group.service?.metadata.labels ?? {};
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, labels: { ...labels } } };
}

function serviceHeader(name: string): string {
  return `{{- $s := index .Values.services ${goString(name)} }}\n`;
}

/** One template document, and the file (by kind, as `helm create` names them) it goes in. */
interface Document {
  kind: string;
  name: string;
  text: string;
}

/** The files: templates/<kind>.yaml (deployment.yaml, service.yaml, ingress.yaml, …) with one document per object, in name order. */
function filesOf(documents: Document[]): ChartFile[] {
  const byKind = new Map<string, Document[]>();
  for (const d of documents) {
    const list = byKind.get(d.kind);
    if (list) list.push(d);
    else byKind.set(d.kind, [d]);
  }
  return [...byKind.entries()].map(([kind, list]) => ({
    path: `templates/${kind.toLowerCase()}.yaml`,
    content: list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((d) => `---\n${d.text}`).join(''),
  }));
}

/** The template files of the chart `chart` for the converter's objects. */
export function chartTemplates(objects: readonly KubernetesObject[], chart: string): ChartFile[] {
  const groups = serviceObjects(objects);
  const owners = new Map<string, ServiceObjects>();
  for (const group of groups) {
    owners.set(`${group.workload.kind}/${group.workload.metadata.name}`, group);
    if (group.service) owners.set(`Service/${group.service.metadata.name}`, group);
  }
  const ownIngresses = new Set(groups.filter((g) => g.backend).map((g) => g.ingress));
  const documents: Document[] = [];
  for (const original of objects) {
    if (ownIngresses.has(original)) continue;
    const object = copyWithLabelHoles(original, chart, false) as Json;
    const metadata = asRecord(object['metadata'])!;
    metadata['namespace'] = namespaceHole(chart);
    const group = owners.get(`${original.kind}/${original.metadata.name}`);
    if (WORKLOAD_KINDS.has(original.kind)) templateWorkload(object, chart);
    if (original.kind === 'Service' && group) templateService(object);
    if (original.kind === 'PersistentVolumeClaim') templateClaim(asRecord(object['spec'])!, original.metadata.name);
    if (original.kind === 'RoleBinding') {
      for (const subject of (object['subjects'] as Json[] | undefined) ?? []) if (subject['kind'] === 'ServiceAccount') subject['namespace'] = namespaceHole(chart);
    }
    documents.push({ kind: original.kind, name: original.metadata.name, text: (group ? serviceHeader(group.workload.metadata.name) : '') + writeTemplate(object) });
  }
  for (const group of groups) {
    if (!group.backend) continue;
    const object = copyWithLabelHoles(ingressObject(group), chart, false) as Json;
    const metadata = asRecord(object['metadata'])!;
    metadata['namespace'] = namespaceHole(chart);
    object['spec'] = ingressSpecHole(group.backend);
    const name = group.workload.metadata.name;
    documents.push({ kind: 'Ingress', name, text: `${serviceHeader(name)}{{- if $s.ingress.enabled }}\n${writeTemplate(object)}{{- end }}\n` });
  }
  return filesOf(documents).sort((a, b) => (a.path < b.path ? -1 : 1));
}
