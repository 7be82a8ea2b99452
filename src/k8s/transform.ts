import type { ComposeProject, ComposeService } from '../compose/model';
import type { KeyPath } from '../compose/paths';
import { addConfigHashes } from './config-hash';
import { CONTROL_LABELS, TransformContext, type TransformOptions } from './context';
import { emitJobWaiter } from './dependencies';
import { withKomposeLabels } from './kompose-labels';
import { labelValueProblem } from './names';
import { emitIngress, emitServices } from './network';
import { resolveImage } from './pin';
import { planServices, type ServicePlan } from './service-plan';
import { warnUnreachable } from './reachability';
import { dropUnusedBindConfigMaps, planStorage } from './storage';
import type { KubernetesObject, RenderedImage } from './objects';
import { emitWorkload } from './workload';

/**
 * The transformer: model → Kubernetes objects. Pure: no file system, no clock, no environment.
 * Every compose key is converted or named in a warning.
 */

/** What the transformer returns (objects not yet sorted or validated). */
export interface TransformResult {
  objects: KubernetesObject[];
  warnings: string[];
  images: RenderedImage[];
}

/** Service keys this converter handles (converted, or warned about where they are only partly converted). */
const CONVERTED_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'tmpfs',
  'healthcheck',
  'depends_on',
  'restart',
  'deploy',
  'scale',
  'labels',
  'annotations',
  'user',
  'group_add',
  'working_dir',
  'hostname',
  'domainname',
  'cap_add',
  'cap_drop',
  'privileged',
  'read_only',
  'security_opt',
  'sysctls',
  'extra_hosts',
  'stop_grace_period',
  'tty',
  'stdin_open',
  'cpus',
  'mem_limit',
  'mem_reservation',
  'pids_limit',
  'shm_size',
  'secrets',
  'configs',
  'pull_policy',
  'platform',
  'profiles',
  'extends',
  'dns',
  'dns_search',
  'dns_opt',
  'post_start',
  'pre_stop',
  'gpus',
  'label_file',
  'runtime',
]);

/** Why some keys are not converted. */
const REASONS: Record<string, string> = {
  container_name: 'Kubernetes names pods itself',
  network_mode: 'pods have their own network namespace (only service:x and container:x, which join the pod of x, are converted)',
  stop_signal: 'Kubernetes always sends SIGTERM',
  init: 'Kubernetes runs no init process in the container (use an image with one, such as tini)',
  links: 'services reach each other by Service name',
  external_links: 'services reach each other by Service name',
  logging: 'the cluster decides where logs go',
};

const CONTROLLER_DEPLOY_KEYS = new Set(['placement', 'endpoint_mode']);
const KNOWN_LABELS = new Set<string>(Object.values(CONTROL_LABELS));

function warnUnconverted(ctx: TransformContext, s: ComposeService): void {
  const at = (...rest: Array<string | number>): KeyPath => ['services', s.name, ...rest];
  for (const key of s.keys) {
    if (CONVERTED_KEYS.has(key)) continue;
    if (key === 'network_mode' && /^(service|container):/.test(s.networkMode ?? '')) continue;
    if (key === 'networks') {
      // Joining networks is covered by the top-level warning; aliases and addresses are lost here.
      for (const [name, n] of Object.entries(s.networks)) {
        if (n && (n.aliases.length || n.options.length))
          ctx.warn(
            at('networks', name),
            `sets ${[...(n.aliases.length ? ['aliases'] : []), ...n.options].join(', ')}, which are not converted: pods share one cluster network and reach each other by Service name.`,
          );
      }
      continue;
    }
    ctx.warn(at(key), `is not converted: ${REASONS[key] ?? 'it has no Kubernetes equivalent'}.`);
  }
  for (const key of Object.keys(s.deploy?.other ?? {}).sort()) {
    if (CONTROLLER_DEPLOY_KEYS.has(key)) continue;
    ctx.warn(at('deploy', key), 'is not converted: it has no Kubernetes equivalent here.');
  }
  const placement = s.deploy?.other['placement'];
  if (placement && typeof placement === 'object') {
    for (const key of Object.keys(placement)) if (key !== 'constraints') ctx.warn(at('deploy', 'placement', key), 'is not converted.');
  }
  const rp = s.deploy?.restartPolicy;
  if (rp && (rp.delayMs !== undefined || rp.windowMs !== undefined))
    ctx.warn(at('deploy', 'restart_policy'), 'sets delay or window, which Kubernetes does not have (it backs off by itself): ignored.');
  for (const label of Object.keys(s.labels)) {
    if (label.startsWith('outerloop.') && !KNOWN_LABELS.has(label))
      ctx.warn(
        at('labels', label),
        `is not a label outerloop knows (${[...KNOWN_LABELS].filter((l) => !l.startsWith('outerloop.volume')).join(', ')}).`,
      );
  }
}

function warnTopLevel(ctx: TransformContext, plans: ServicePlan[]): void {
  for (const key of Object.keys(ctx.project.other).sort()) ctx.warn([key], 'is not converted: it has no Kubernetes equivalent.');
  const used = (section: 'secrets' | 'configs'): Set<string> => new Set(plans.flatMap((p) => p.service[section].map((r) => r.source)));
  for (const section of ['secrets', 'configs'] as const) {
    const names = used(section);
    for (const [name, object] of Object.entries(ctx.project[section])) {
      if (names.has(name))
        for (const key of object.otherKeys)
          ctx.warn([section, name, key], 'is not converted: the object is created from its content as it is.');
    }
  }
  const mounted = new Set(plans.flatMap((p) => p.service.mounts.filter((m) => m.type === 'volume' && m.source).map((m) => m.source!)));
  for (const [name, volume] of Object.entries(ctx.project.volumes)) {
    if (mounted.has(name)) for (const key of volume.otherKeys) ctx.warn(['volumes', name, key], 'is not converted.');
  }
  for (const [name, network] of Object.entries(ctx.project.networks).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'default' && !network.driver) continue;
    ctx.warn(['networks', name], 'is not converted: pods share one cluster network (use NetworkPolicies to isolate them).');
  }
  for (const [name, volume] of Object.entries(ctx.project.volumes)) {
    for (const label of Object.keys(volume.labels)) {
      if (label.startsWith('outerloop.') && !KNOWN_LABELS.has(label))
        ctx.warn(['volumes', name, 'labels', label], 'is not a label outerloop knows.');
    }
  }
}

/** Converts a project. Throws FileError (naming the compose key) for what cannot be converted at all. */
export function transformProject(
  project: ComposeProject,
  options: TransformOptions,
  locate: (path: KeyPath) => string | undefined,
): TransformResult {
  const ctx = new TransformContext({ ...project, services: project.services.map(withKomposeLabels) }, options, locate);
  const problem = labelValueProblem(project.name);
  if (problem) throw ctx.error(['name'], `: the project name '${project.name}' cannot be a label value: ${problem}.`);
  const plans = planServices(ctx);
  const byService = new Map<string, ServicePlan>(plans.map((p) => [p.service.name, p]));
  const storage = planStorage(ctx, plans);
  const images: RenderedImage[] = [];
  let jobWaiter = false;
  for (const plan of plans) {
    warnUnconverted(ctx, plan.service);
    images.push(resolveImage(ctx, plan));
  }
  const resolved = new Map(images.map((i) => [i.service, i.resolved]));
  for (const plan of plans) {
    if (plan.podOf) continue; // its container is in the pod of the service it shares the network of
    emitServices(ctx, plan);
    emitIngress(ctx, plan);
    if (emitWorkload(ctx, plan, byService, storage, (service) => resolved.get(service)!).needsJobWaiter) jobWaiter = true;
  }
  if (jobWaiter) emitJobWaiter(ctx);
  dropUnusedBindConfigMaps(ctx.objects);
  addConfigHashes(ctx.objects);
  warnUnreachable(ctx, plans);
  warnTopLevel(ctx, plans);
  return { objects: ctx.objects, warnings: ctx.warnings, images };
}
