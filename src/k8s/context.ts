import { FileError } from '../common/errors';
import type { DigestFile } from '../digests/digest-file';
import type { BindSource } from './bind-sources';
import type { ExposedPort } from '../docker/engine';
import type { ComposeProject } from '../compose/model';
import { formatPath, type KeyPath } from '../compose/paths';
import type { KubernetesObject } from './objects';

/**
 * What every part of the transformer shares: the options, the project, the warnings (each with the
 * compose file position of the key it is about) and the standard labels.
 */

/** Options of the pure transformer. */
export interface TransformOptions {
  namespace?: string;
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  ingressHost?: string;
  digests?: DigestFile;
  /** Image of the init containers that wait for a dependency's Service (needs sh, sleep and nc). */
  waitImage: string;
  /** Image of the init containers that wait for a dependency's Job (needs kubectl). */
  kubectlImage: string;
  /** Contents of the secret and config files the project names, by absolute path. */
  files: Record<string, Buffer>;
  /** Read-only bind mounts' sources, by absolute path (they become ConfigMaps); undefined: switched off. */
  bindSources?: Record<string, BindSource>;
  /** Ports from the image's EXPOSE of services others reach that declare none, by service name. */
  exposedPorts?: Record<string, ExposedPort[]>;
}

/** The labels outerloop reads from compose `labels` (they steer the conversion and are not copied). */
export const CONTROL_LABELS = {
  controller: 'outerloop.controller',
  schedule: 'outerloop.schedule',
  serviceType: 'outerloop.service.type',
  ingress: 'outerloop.ingress',
  ingressHost: 'outerloop.ingress.host',
  ingressPath: 'outerloop.ingress.path',
  ingressTls: 'outerloop.ingress.tls-secret',
  ingressClass: 'outerloop.ingress.class',
  ingressPort: 'outerloop.ingress.port',
  volumeSize: 'outerloop.volume.size',
  volumeStorageClass: 'outerloop.volume.storage-class',
  volumeAccessMode: 'outerloop.volume.access-mode',
} as const;

/** Shared state of one transformation. */
export class TransformContext {
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();
  readonly objects: KubernetesObject[] = [];

  constructor(
    readonly project: ComposeProject,
    readonly options: TransformOptions,
    private readonly locateKey: (path: KeyPath) => string | undefined,
  ) {}

  /** `file:line:column` of a key path (or the project folder when unknown). */
  locate(path: KeyPath): string {
    return this.locateKey(path) ?? this.project.workingDir;
  }

  /** Records a warning about a compose key that is not (fully) converted. */
  warn(path: KeyPath, detail: string): void {
    const warning = `${this.locate(path)}: ${formatPath(path)} ${detail}`;
    if (!this.warned.has(warning)) {
      this.warned.add(warning);
      this.warnings.push(warning);
    }
  }

  /** A FileError about a key path. */
  error(path: KeyPath, detail: string): FileError {
    return new FileError(this.locate(path), `${formatPath(path)} ${detail}`);
  }

  /** The app.kubernetes.io labels every object carries. */
  standardLabels(component: string): Record<string, string> {
    return {
      'app.kubernetes.io/instance': this.project.name,
      'app.kubernetes.io/managed-by': 'outerloop',
      'app.kubernetes.io/name': component,
      'app.kubernetes.io/part-of': this.project.name,
    };
  }

  /** The selector of a service's pods: stable across versions (no image, no version). */
  selectorLabels(component: string): Record<string, string> {
    return { 'app.kubernetes.io/instance': this.project.name, 'app.kubernetes.io/name': component };
  }

  /**
   * Metadata for a new object: name, namespace, standard labels, the given annotations (RenderOptions.annotations are added later,
   * by decorateObjects).
   */
  metadata(
    name: string,
    component: string,
    extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  ): KubernetesObject['metadata'] {
    const meta: KubernetesObject['metadata'] = { name, labels: { ...extra.labels, ...this.standardLabels(component) } };
    if (this.options.namespace) meta.namespace = this.options.namespace;
    const annotations = { ...extra.annotations };
    if (Object.keys(annotations).length > 0) meta.annotations = annotations;
    return meta;
  }

  add(object: KubernetesObject): void {
    this.objects.push(object);
  }
}
