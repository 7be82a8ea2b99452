import type { PersistentVolumeClaimSpec, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import { createHash } from 'node:crypto';
import { basename, relative } from 'node:path';
import type { ComposeFileObject, ComposeFileReference, ComposeMount } from '../compose/model';
import { formatPath, type KeyPath } from '../compose/paths';
import { podConfigReferences } from './config-hash';
import { CONTROL_LABELS, type TransformContext } from './context';
import { asRecord, podTemplateOf } from './decorate';
import type { KubernetesObject } from './objects';
import { dnsLabelProblem, toKubernetesName } from './names';
import type { ServicePlan } from './service-plan';
import { byteQuantity } from './quantities';

/**
 * Storage: named volumes → PersistentVolumeClaims (one claim shared by every service that mounts
 * the volume; a StatefulSet's own volumes → volumeClaimTemplates), tmpfs → memory emptyDirs,
 * anonymous volumes are left out (an emptyDir would hide the image's files), secrets → Secret volumes, configs → ConfigMap volumes,
 * read-only bind mounts of project files and small folders → ConfigMaps (bind-sources.ts reads them);
 * other bind mounts are reported, never turned into claims.
 */

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** How each named volume is provided. */
export interface StoragePlan {
  /** Claim name of each volume that a PersistentVolumeClaim (generated or external) provides. */
  claims: Map<string, string>;
  /** Volumes that become volumeClaimTemplates of the one StatefulSet that mounts them. */
  templates: Map<string, PersistentVolumeClaimSpec>;
  accessModes: Map<string, string>;
}

/** The Kubernetes name of a volume, secret or config: an external one's name as it is, else its `name:` or key made a DNS name. */
function objectName(ctx: TransformContext, section: string, key: string, object: { name?: string; external: boolean }): string {
  const name = object.external ? (object.name ?? key) : toKubernetesName(object.name ?? key);
  const problem = dnsLabelProblem(name);
  if (problem) throw ctx.error([section, key], `cannot become a Kubernetes name: '${name}' is not valid: ${problem}.`);
  return name;
}

function claimSpec(ctx: TransformContext, key: string): PersistentVolumeClaimSpec {
  const labels = ctx.project.volumes[key].labels;
  const at = ['volumes', key, 'labels'];
  const mode = labels[CONTROL_LABELS.volumeAccessMode] ?? 'ReadWriteOnce';
  if (!ACCESS_MODES.includes(mode))
    throw ctx.error([...at, CONTROL_LABELS.volumeAccessMode], `must be one of ${ACCESS_MODES.join(', ')}, not '${mode}'.`);
  const size = labels[CONTROL_LABELS.volumeSize] ?? '1Gi';
  if (!QUANTITY.test(size))
    throw ctx.error([...at, CONTROL_LABELS.volumeSize], `must be a Kubernetes quantity such as 10Gi, not '${size}'.`);
  const spec: PersistentVolumeClaimSpec = { accessModes: [mode], resources: { requests: { storage: size } } };
  const storageClass = labels[CONTROL_LABELS.volumeStorageClass];
  if (storageClass !== undefined) spec.storageClassName = storageClass;
  return spec;
}

/** Decides claims and claim templates, and emits the PersistentVolumeClaims. */
export function planStorage(ctx: TransformContext, plans: ServicePlan[]): StoragePlan {
  const users = new Map<string, ServicePlan[]>();
  for (const plan of plans) {
    for (const m of plan.service.mounts) {
      if (m.type !== 'volume' || m.source === undefined) continue;
      const list = users.get(m.source) ?? [];
      if (!list.includes(plan)) list.push(plan);
      users.set(m.source, list);
    }
  }
  const storage: StoragePlan = { claims: new Map(), templates: new Map(), accessModes: new Map() };
  for (const key of [...users.keys()].sort()) {
    const volume = ctx.project.volumes[key];
    const name = objectName(ctx, 'volumes', key, volume);
    if (volume.driver !== undefined && volume.driver !== 'local')
      ctx.warn(['volumes', key, 'driver'], `'${volume.driver}' has no Kubernetes equivalent: the claim uses the storage class instead.`);
    if (Object.keys(volume.driverOpts).length > 0) ctx.warn(['volumes', key, 'driver_opts'], 'has no Kubernetes equivalent: ignored.');
    if (volume.external) {
      storage.claims.set(key, name);
      continue;
    }
    const spec = claimSpec(ctx, key);
    storage.accessModes.set(key, spec.accessModes![0]);
    const owners = users.get(key)!;
    if (owners.length === 1 && owners[0].kind === 'StatefulSet') {
      storage.templates.set(key, spec);
      continue;
    }
    storage.claims.set(key, name);
    const pods = [...new Set(owners.map((p) => p.podOf ?? p.service.name))].sort();
    const mode = spec.accessModes![0];
    if (pods.length > 1 && (mode === 'ReadWriteOnce' || mode === 'ReadWriteOncePod')) {
      const limit =
        mode === 'ReadWriteOnce' ? 'their pods must all run on the one node that attaches it' : 'only one pod at a time can use it';
      ctx.warn(
        ['volumes', key],
        `becomes one ${mode} claim mounted by ${pods.join(', ')}: ${limit}, so some may never start; label it ${CONTROL_LABELS.volumeAccessMode}: ReadWriteMany (with a storage class that offers it).`,
      );
    }
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(volume.labels)) if (!k.startsWith('outerloop.')) annotations[k] = v;
    ctx.add({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: ctx.metadata(name, name, { annotations }), spec });
  }
  return storage;
}

function fileObjectData(ctx: TransformContext, section: 'secrets' | 'configs', key: string, object: ComposeFileObject): Buffer {
  if (object.content !== undefined) return Buffer.from(object.content, 'utf8');
  const data = object.file !== undefined ? ctx.options.files[object.file] : undefined;
  if (!data) throw ctx.error([section, key, 'file'], `names ${object.file}, which could not be read.`);
  return data;
}

const emitted = new WeakMap<TransformContext, Set<string>>();

/** Emits the Secret or ConfigMap of a compose secret/config once, and returns its name and data key. */
function provideFileObject(ctx: TransformContext, section: 'secrets' | 'configs', key: string): { name: string; dataKey: string } {
  const object = (section === 'secrets' ? ctx.project.secrets : ctx.project.configs)[key];
  const name = objectName(ctx, section, key, object);
  const dataKey = key;
  if (object.external) return { name, dataKey };
  let done = emitted.get(ctx);
  if (!done) emitted.set(ctx, (done = new Set()));
  const id = `${section}/${key}`;
  if (!done.has(id)) {
    done.add(id);
    const data = fileObjectData(ctx, section, key, object);
    const annotations = { ...object.labels };
    if (section === 'secrets') {
      ctx.add({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: ctx.metadata(name, name, { annotations }),
        type: 'Opaque',
        data: { [dataKey]: data.toString('base64') },
      });
    } else {
      const text = data.toString('utf8');
      const isText = Buffer.from(text, 'utf8').equals(data);
      ctx.add({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: ctx.metadata(name, name, { annotations }),
        ...(isText ? { data: { [dataKey]: text } } : { binaryData: { [dataKey]: data.toString('base64') } }),
      });
    }
  }
  return { name, dataKey };
}

/**
 * The ConfigMap of a read-only bind mount of a project file or small folder (emitted once per
 * source), with the data key to mount for a file; undefined (with a warning) when it cannot be one.
 */
function bindConfigMap(ctx: TransformContext, m: ComposeMount, path: KeyPath): { name: string; key?: string } | undefined {
  if (m.source === undefined) {
    ctx.warn(path, 'is a bind mount without a source: left out.');
    return undefined;
  }
  const shown = relative(ctx.project.workingDir, m.source) || '.';
  const sources = ctx.options.bindSources;
  if (!sources || !m.readOnly) {
    const hint = !sources ? 'bind mounts as ConfigMaps are switched off' : 'mount it read-only (:ro) to have a ConfigMap made of it';
    ctx.warn(
      path,
      `is a bind mount of ${m.source} (host files do not exist in a cluster): left out (${hint}); use a named volume, a config or a secret.`,
    );
    return undefined;
  }
  const source = sources[m.source];
  if (!source || source.kind === 'unusable') {
    ctx.warn(
      path,
      `is a bind mount of ${m.source}, which ${source?.reason ?? 'was not read'}, so it cannot become a ConfigMap: left out; use a named volume, a config or a secret.`,
    );
    return undefined;
  }
  const base = `bind-${shown
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')}`.replace(/-+$/, '');
  const name = base.length <= 63 && !dnsLabelProblem(base) ? base : `bind-${createHash('sha256').update(shown).digest('hex').slice(0, 16)}`;
  const key = source.kind === 'file' ? (/^[-._a-zA-Z0-9]+$/.test(basename(shown)) ? basename(shown) : 'file') : undefined;
  const files = source.kind === 'file' ? { [key!]: source.data } : source.files;
  let done = emitted.get(ctx);
  if (!done) emitted.set(ctx, (done = new Set()));
  if (!done.has(`bind/${name}`)) {
    done.add(`bind/${name}`);
    const data: Record<string, string> = {};
    const binaryData: Record<string, string> = {};
    for (const [k, v] of Object.entries(files)) {
      const text = v.toString('utf8');
      if (Buffer.from(text, 'utf8').equals(v)) data[k] = text;
      else binaryData[k] = v.toString('base64');
    }
    ctx.add({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: ctx.metadata(name, name, { annotations: { 'outerloop.io/bind-source': shown } }),
      ...(Object.keys(data).length ? { data } : {}),
      ...(Object.keys(binaryData).length ? { binaryData } : {}),
    });
  }
  return { name, ...(key ? { key } : {}) };
}

/** A pod's volumes and its container's mounts. */
export interface PodStorage {
  volumes: Volume[];
  mounts: VolumeMount[];
  /** Claim templates (StatefulSet only). */
  templates: Array<{ name: string; spec: PersistentVolumeClaimSpec }>;
  /** The pod mounts a claim that only one node can attach: roll out by Recreate. */
  singleAttach: boolean;
}

/** Converts a service's mounts, tmpfs, secrets and configs into pod volumes and mounts. */
export function podStorage(ctx: TransformContext, plan: ServicePlan, storage: StoragePlan): PodStorage {
  const s = plan.service;
  const out: PodStorage = { volumes: [], mounts: [], templates: [], singleAttach: false };
  const volumeNames = new Set<string>();
  const addVolume = (volume: Volume): void => {
    if (!volumeNames.has(volume.name)) {
      volumeNames.add(volume.name);
      out.volumes.push(volume);
    }
  };
  // Kubernetes rejects a container with two mounts at one path (Compose rejects it too).
  const mountedAt = new Map<string, KeyPath>();
  const claimPath = (target: string, path: KeyPath): void => {
    const earlier = mountedAt.get(target);
    if (earlier) throw ctx.error(path, `mounts ${target}, which ${formatPath(earlier)} already mounts: a path can be mounted once.`);
    mountedAt.set(target, path);
  };
  let tmpfs = 0;
  let bindIndex = 0;
  s.mounts.forEach((m, i) => {
    const path = ['services', s.name, m.origin?.key ?? 'volumes', m.origin?.index ?? i];
    if (m.type === 'volume' || m.type === 'tmpfs') claimPath(m.target, path);
    for (const option of m.extraOptions) ctx.warn(path, `has the option '${option}', which has no Kubernetes equivalent: ignored.`);
    const mount: VolumeMount = { name: '', mountPath: m.target };
    if (m.readOnly) mount.readOnly = true;
    if (m.subpath) mount.subPath = m.subpath;
    if (m.type === 'volume' && m.source !== undefined) {
      const template = storage.templates.get(m.source);
      const name = dnsLabelProblem(toKubernetesName(m.source)) ? `volume-${i}` : toKubernetesName(m.source);
      mount.name = name;
      if (template) {
        if (!out.templates.some((t) => t.name === name)) out.templates.push({ name, spec: template });
      } else {
        addVolume({ name, persistentVolumeClaim: { claimName: storage.claims.get(m.source)!, ...(m.readOnly ? { readOnly: true } : {}) } });
        const mode = storage.accessModes.get(m.source);
        if (mode === 'ReadWriteOnce' || mode === 'ReadWriteOncePod') out.singleAttach = true;
      }
    } else if (m.type === 'volume') {
      // An empty emptyDir would hide the image's files at that path; in Compose an anonymous volume
      // is seeded from the image, and it mostly protects image content from a bind mount, which is left out too.
      ctx.warn(
        path,
        `is an anonymous volume at ${m.target}: left out, so the image's own files there stay visible (an empty emptyDir would hide them); use a named volume to keep data.`,
      );
      return;
    } else if (m.type === 'tmpfs') {
      mount.name = `tmpfs-${tmpfs++}`;
      addVolume({ name: mount.name, emptyDir: { medium: 'Memory', ...(m.tmpfsSize ? { sizeLimit: byteQuantity(m.tmpfsSize) } : {}) } });
      if (m.tmpfsMode !== undefined) ctx.warn(path, 'sets a tmpfs mode, which an emptyDir cannot: ignored.');
    } else if (m.type === 'bind') {
      const configMap = bindConfigMap(ctx, m, path);
      if (!configMap) return;
      mount.name = `bind-${bindIndex++}`;
      addVolume({
        name: mount.name,
        configMap: { name: configMap.name, ...(configMap.key ? { items: [{ key: configMap.key, path: configMap.key }] } : {}) },
      });
      if (configMap.key) mount.subPath = configMap.key;
      claimPath(m.target, path);
    } else {
      ctx.warn(path, `is a mount of type ${m.type}, which has no Kubernetes equivalent: left out.`);
      return;
    }
    out.mounts.push(mount);
  });
  if (s.shmSizeBytes !== undefined) {
    claimPath('/dev/shm', ['services', s.name, 'shm_size']);
    addVolume({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: byteQuantity(s.shmSizeBytes) } });
    out.mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  const files = (section: 'secrets' | 'configs', refs: ComposeFileReference[]): void => {
    refs.forEach((ref, i) => {
      claimPath(ref.target, ['services', s.name, section, i]);
      const { name, dataKey } = provideFileObject(ctx, section, ref.source);
      const volumeName = `${section === 'secrets' ? 'secret' : 'config'}-${i}`;
      const mode = ref.mode ?? (section === 'secrets' ? 0o444 : undefined);
      const source = { items: [{ key: dataKey, path: dataKey, ...(mode !== undefined ? { mode } : {}) }] };
      addVolume(
        section === 'secrets'
          ? { name: volumeName, secret: { secretName: name, ...source } }
          : { name: volumeName, configMap: { name, ...source } },
      );
      out.mounts.push({ name: volumeName, mountPath: ref.target, subPath: dataKey, readOnly: true });
      if (ref.uid !== undefined || ref.gid !== undefined)
        ctx.warn(['services', s.name, section, i], "sets uid or gid, which a Kubernetes volume cannot: the file keeps the pod's fsGroup.");
    });
  };
  files('secrets', s.secrets);
  files('configs', s.configs);
  dropMountsInsideConfigMaps(ctx, s.name, out);
  return out;
}

/**
 * A folder ConfigMap is mounted read-only: the kubelet cannot make a mount point inside it, so the
 * pod would never start. A mount below one (a file bound into a bound folder) is left out, warned.
 */
function dropMountsInsideConfigMaps(ctx: TransformContext, service: string, out: PodStorage): void {
  const folders = out.mounts.filter((m) => !m.subPath && out.volumes.some((v) => v.name === m.name && v.configMap));
  if (folders.length === 0) return;
  out.mounts = out.mounts.filter((m) => {
    const outer = folders.find((f) => f !== m && m.mountPath.startsWith(`${f.mountPath.replace(/\/+$/, '')}/`));
    if (!outer) return true;
    ctx.warn(
      ['services', service, 'volumes'],
      `mounts ${m.mountPath} inside ${outer.mountPath}, which a ConfigMap provides read-only (Kubernetes cannot make a mount point there): ${m.mountPath} is left out; put the file in that folder instead.`,
    );
    return false;
  });
  const used = new Set(out.mounts.map((m) => m.name));
  out.volumes = out.volumes.filter((v) => used.has(v.name));
}

/** Removes the ConfigMaps made of bind mounts (annotated with their source) that no pod uses any more. Mutates the array given. */
export function dropUnusedBindConfigMaps(objects: KubernetesObject[]): void {
  const used = new Set<string>();
  for (const o of objects) {
    const spec = asRecord(podTemplateOf(o)?.['spec']);
    if (spec) for (const ref of podConfigReferences(spec)) used.add(ref);
  }
  for (let i = objects.length - 1; i >= 0; i--) {
    const o = objects[i];
    if (
      o.kind === 'ConfigMap' &&
      o.metadata.annotations?.['outerloop.io/bind-source'] !== undefined &&
      !used.has(`ConfigMap/${o.metadata.name}`)
    )
      objects.splice(i, 1);
  }
}
