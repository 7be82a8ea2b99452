import { asRecord, podTemplateOf } from '../decorate';
import type { KubernetesObject } from '../objects';
import {
  blockHole,
  goDict,
  goString,
  Hole,
  HoleSet,
  includeBlockHole,
  inlineHole,
  optionalScalarHole,
  writeTemplate,
} from './template-writer';
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

function isLabelMap(value: unknown): value is Record<string, string> {
  const map = asRecord(value);
  return (
    map !== undefined &&
    typeof map[INSTANCE] === 'string' &&
    typeof map[NAME] === 'string' &&
    Object.values(map).every((v) => typeof v === 'string')
  );
}

/**
 * One template being written from a converted object, without copying it: its keys are patched
 * with hole markers, and {@link Draft.write} puts every original value back (copying thousands of
 * objects was the bulk of a large chart's cost).
 */
class Draft {
  readonly holes = new HoleSet();
  private readonly undo: Array<{ object: Json; key: string; had: boolean; old: unknown }> = [];

  /** Sets `object[key]`, to be undone. */
  put(object: Json, key: string, value: unknown): void {
    this.undo.push({ object, key, had: Object.prototype.hasOwnProperty.call(object, key), old: object[key] });
    object[key] = value;
  }

  /** Puts a hole at `object[key]`. */
  hole(object: Json, key: string, hole: Hole): void {
    this.put(object, key, this.holes.mark(hole));
  }

  /** Patches `object` with `patch`, writes its template and restores it, whatever happens. */
  static write(object: Json, patch: (draft: Draft) => void): string {
    const draft = new Draft();
    try {
      patch(draft);
      return writeTemplate(object, draft.holes);
    } finally {
      for (let i = draft.undo.length - 1; i >= 0; i--) {
        const { object: target, key, had, old } = draft.undo[i];
        if (had) target[key] = old;
        else delete target[key];
      }
    }
  }
}

/**
 * Replaces the converter's label sets with the chart's helpers: labels (with Helm's standard labels
 * and commonLabels; only the stable ones in a StatefulSet's claim templates, which cannot change)
 * and selectors (instance = the release name).
 */
function labelHoles(node: unknown, chart: string, stable: boolean, draft: Draft): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) labelHoles(item, chart, stable, draft);
    return;
  }
  const map = node as Json;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if ((key === 'labels' || key === 'matchLabels' || key === 'selector') && isLabelMap(value)) {
      const literal = goDict(value, [INSTANCE, MANAGED_BY]);
      draft.hole(
        map,
        key,
        value[MANAGED_BY] !== undefined
          ? includeBlockHole(`include ${goString(`${chart}.labels`)} (dict "context" $ "labels" ${literal} "stable" ${stable})`)
          : includeBlockHole(`include ${goString(`${chart}.selectorLabels`)} (dict "context" $ "labels" ${literal})`),
      );
    } else labelHoles(value, chart, stable || key === 'volumeClaimTemplates', draft);
  }
}

/** The holes every service's objects share, made once (each remembers how it is written). */
const SHARED = {
  replicas: inlineHole('$s.replicaCount'),
  nodeSelector: blockHole('$s.nodeSelector'),
  tolerations: blockHole('$s.tolerations'),
  affinity: blockHole('$s.affinity'),
  imagePullSecrets: blockHole('$.Values.imagePullSecrets'),
  pullPolicy: optionalScalarHole('$s.image.pullPolicy', '. | toJson'),
  resources: blockHole('$s.resources'),
  serviceType: inlineHole('$s.service.type | toJson'),
  servicePorts: blockHole('$s.service.ports'),
};

const chartHoles = new Map<string, { namespace: Hole; image: Hole }>();

/** The holes that name the chart's helpers, made once per chart name. */
function holesOf(chart: string): { namespace: Hole; image: Hole } {
  let holes = chartHoles.get(chart);
  if (!holes) {
    holes = {
      namespace: optionalScalarHole(`include ${goString(`${chart}.namespace`)} $`),
      image: inlineHole(`include ${goString(`${chart}.image`)} $s.image | toJson`),
    };
    chartHoles.set(chart, holes);
  }
  return holes;
}

function namespaceHole(chart: string): Hole {
  return holesOf(chart).namespace;
}

function persistenceOf(name: string): string {
  return `(index $.Values.persistence ${goString(name)})`;
}

function storageClassHole(claim: string): Hole {
  return new Hole((key, indent) =>
    [
      `{{- with ${persistenceOf(claim)}.storageClass }}`,
      `${indent}${key}: {{ if eq . "-" }}""{{ else }}{{ . | toJson }}{{ end }}`,
      '{{- end }}',
    ].join('\n'),
  );
}

/** A claim spec (PersistentVolumeClaim or claim template) sized and classed from persistence.<claim>. */
function templateClaim(spec: Json, claim: string, draft: Draft): void {
  const requests = asRecord(asRecord(spec['resources'])?.['requests']);
  if (requests) draft.hole(requests, 'storage', inlineHole(`${persistenceOf(claim)}.size | toString | toJson`));
  draft.hole(spec, 'storageClassName', storageClassHole(claim));
}

function envHole(chart: string, container: Json): Hole | undefined {
  const env = (container['env'] as Array<Record<string, unknown>> | undefined) ?? [];
  if (!env.every((e) => typeof e['name'] === 'string' && typeof e['value'] === 'string' && Object.keys(e).length === 2)) return undefined;
  const base = Object.fromEntries(env.map((e) => [e['name'] as string, e['value'] as string]));
  return includeBlockHole(`include ${goString(`${chart}.env`)} (dict "base" ${goDict(base)} "extra" $s.env)`);
}

function templateWorkload(object: Json, chart: string, draft: Draft): void {
  const kind = object['kind'] as string;
  const spec = asRecord(object['spec'])!;
  if (SCALED_KINDS.has(kind)) draft.hole(spec, 'replicas', SHARED.replicas);
  const template = podTemplateOf(object as unknown as KubernetesObject)!;
  if (!asRecord(template['metadata'])) draft.put(template, 'metadata', {});
  const metadata = asRecord(template['metadata'])!;
  draft.hole(
    metadata,
    'annotations',
    blockHole(`merge (dict) $s.podAnnotations ${goDict((asRecord(metadata['annotations']) ?? {}) as Record<string, string>)}`),
  );
  const pod = podSpecOf(object as unknown as KubernetesObject);
  draft.hole(pod, 'nodeSelector', SHARED.nodeSelector);
  draft.hole(pod, 'tolerations', SHARED.tolerations);
  draft.hole(pod, 'affinity', SHARED.affinity);
  draft.hole(pod, 'imagePullSecrets', SHARED.imagePullSecrets);
  const container = mainContainer(object as unknown as KubernetesObject);
  const env = envHole(chart, container);
  draft.hole(container, 'image', holesOf(chart).image);
  draft.hole(container, 'imagePullPolicy', SHARED.pullPolicy);
  draft.hole(container, 'resources', SHARED.resources);
  if (env) draft.hole(container, 'env', env);
  for (const claim of (spec['volumeClaimTemplates'] as Json[] | undefined) ?? [])
    templateClaim(asRecord(claim['spec'])!, String(asRecord(claim['metadata'])?.['name']), draft);
}

function templateService(object: Json, draft: Draft): void {
  const spec = asRecord(object['spec'])!;
  if (spec['type'] !== undefined) draft.hole(spec, 'type', SHARED.serviceType);
  if (spec['ports'] !== undefined) draft.hole(spec, 'ports', SHARED.servicePorts);
}

/** The Ingress spec from `ingress` (hosts, paths, TLS, class), routing to the converter's backend. */
function ingressSpecHole(chart: string, backend: { service: string; port: number }): Hole {
  return includeBlockHole(
    `include ${goString(`${chart}.ingressSpec`)} (dict "ingress" $s.ingress "service" ${goString(backend.service)} "port" ${backend.port})`,
  );
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
    content: list
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => `---\n${d.text}`)
      .join(''),
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
    const group = owners.get(`${original.kind}/${original.metadata.name}`);
    const text = Draft.write(original as unknown as Json, (draft) => {
      // The object's own fields first: the label holes replace label maps these read through.
      if (WORKLOAD_KINDS.has(original.kind)) templateWorkload(original as unknown as Json, chart, draft);
      if (original.kind === 'Service' && group) templateService(original as unknown as Json, draft);
      if (original.kind === 'PersistentVolumeClaim') templateClaim(asRecord(original['spec'])!, original.metadata.name, draft);
      if (original.kind === 'RoleBinding') {
        for (const subject of (original['subjects'] as Json[] | undefined) ?? [])
          if (subject['kind'] === 'ServiceAccount') draft.hole(subject, 'namespace', namespaceHole(chart));
      }
      labelHoles(original, chart, false, draft);
      draft.hole(original.metadata as unknown as Json, 'namespace', namespaceHole(chart));
    });
    documents.push({
      kind: original.kind,
      name: original.metadata.name,
      text: (group ? serviceHeader(group.workload.metadata.name) : '') + text,
    });
  }
  for (const group of groups) {
    if (!group.backend) continue;
    const object = ingressObject(group);
    const name = group.workload.metadata.name;
    const text = Draft.write(object, (draft) => {
      labelHoles(object, chart, false, draft);
      draft.hole(asRecord(object['metadata'])!, 'namespace', namespaceHole(chart));
      draft.hole(object, 'spec', ingressSpecHole(chart, group.backend!));
    });
    documents.push({ kind: 'Ingress', name, text: `${serviceHeader(name)}{{- if $s.ingress.enabled }}\n${text}{{- end }}\n` });
  }
  return filesOf(documents).sort((a, b) => (a.path < b.path ? -1 : 1));
}
