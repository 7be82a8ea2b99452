import type {
  Capabilities,
  Container,
  ContainerPort,
  EnvVar,
  Probe,
  ResourceRequirements,
  SecurityContext,
} from 'kubernetes-types/core/v1';
import type { ComposeHealthcheck, ComposeResources, ComposeService } from '../compose/model';
import type { TransformContext } from './context';
import { portNameProblem } from './names';
import type { ServicePlan } from './service-plan';
import { byteQuantity, cpuQuantity, escapeDependentVariables, seconds } from './quantities';

/**
 * The main container of a service: image, command and args, env and envFrom, ports, probes from
 * the healthcheck, resources and security context.
 */

const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** env from `environment` (wins) and the env_file ConfigMap (envFrom); returns the ConfigMap data. */
export function containerEnv(s: ComposeService): { env: EnvVar[]; fromFile: Record<string, string> } {
  const env: EnvVar[] = [];
  const fromFile: Record<string, string> = {};
  for (const [name, value] of Object.entries(s.envFileValues)) {
    if (Object.prototype.hasOwnProperty.call(s.environment, name) && s.environment[name] !== null) continue;
    if (CONFIGMAP_KEY.test(name)) fromFile[name] = value;
    else env.push({ name, value: escapeDependentVariables(value) });
  }
  for (const [name, value] of Object.entries(s.environment)) if (value !== null) env.push({ name, value: escapeDependentVariables(value) });
  env.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { env, fromFile };
}

/** The exec command of a healthcheck test: CMD as written, CMD-SHELL through `sh -c`. */
function healthcheckCommand(test: string[]): string[] {
  return test[0] === 'CMD-SHELL' ? ['sh', '-c', test.slice(1).join(' ')] : test.slice(1);
}

/** readinessProbe, livenessProbe and (from start_period) startupProbe of a healthcheck. */
function healthcheckProbes(check: ComposeHealthcheck): Pick<Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  if (!check.test) return {};
  const command = healthcheckCommand(check.test);
  const period = seconds(check.intervalMs ?? 30_000);
  const retries = Math.max(1, check.retries ?? 3);
  const probe: Probe = {
    exec: { command },
    periodSeconds: period,
    timeoutSeconds: seconds(check.timeoutMs ?? 30_000),
    failureThreshold: retries,
  };
  const out: Pick<Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> = {
    readinessProbe: { ...probe },
    livenessProbe: { ...probe },
  };
  if (check.startPeriodMs && check.startPeriodMs > 0) {
    const startPeriod = seconds(check.startIntervalMs ?? 5_000);
    out.startupProbe = {
      ...probe,
      periodSeconds: startPeriod,
      failureThreshold: Math.ceil(check.startPeriodMs / (startPeriod * 1000)) + retries,
    };
  }
  return out;
}

function quantities(r: ComposeResources): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.cpus !== undefined && r.cpus > 0) out['cpu'] = cpuQuantity(r.cpus);
  if (r.memoryBytes !== undefined && r.memoryBytes > 0) out['memory'] = byteQuantity(r.memoryBytes);
  return out;
}

/** NVIDIA GPUs asked for by `deploy.resources.reservations.devices` or `gpus`: a count, or undefined with a warning. */
function gpuCount(ctx: TransformContext, s: ComposeService): number | undefined {
  let total: number | undefined;
  const consider = (device: unknown, path: Array<string | number>): void => {
    const d = (device ?? {}) as { capabilities?: unknown; driver?: unknown; count?: unknown; device_ids?: unknown };
    const capabilities = Array.isArray(d.capabilities) ? d.capabilities.map(String) : [];
    const isGpu = capabilities.includes('gpu') || path.includes('gpus');
    const count =
      typeof d.count === 'number' ? d.count : typeof d.count === 'string' && /^\d+$/.test(d.count) ? Number(d.count) : undefined;
    if (!isGpu || (d.driver !== undefined && d.driver !== 'nvidia') || count === undefined || d.device_ids !== undefined) {
      ctx.warn(path, 'reserves devices that are not converted (only a count of NVIDIA GPUs becomes nvidia.com/gpu).');
      return;
    }
    total = (total ?? 0) + count;
  };
  (s.reservations.devices ?? []).forEach((d, i) => consider(d, ['services', s.name, 'deploy', 'resources', 'reservations', 'devices', i]));
  const gpus = s.other['gpus'];
  if (gpus !== undefined) {
    if (Array.isArray(gpus)) gpus.forEach((d, i) => consider(d, ['services', s.name, 'gpus', i]));
    else consider({ count: gpus }, ['services', s.name, 'gpus']);
  }
  return total;
}

function resources(ctx: TransformContext, s: ComposeService): ResourceRequirements | undefined {
  const limits = quantities(s.limits);
  const requests = quantities(s.reservations);
  if (s.limits.pids !== undefined)
    ctx.warn(
      ['services', s.name, s.keys.includes('pids_limit') ? 'pids_limit' : 'deploy'],
      'limits pids, which a container spec cannot: ignored.',
    );
  for (const [side, r] of [
    ['limits', s.limits],
    ['reservations', s.reservations],
  ] as const) {
    for (const key of r.otherKeys ?? []) ctx.warn(['services', s.name, 'deploy', 'resources', side, key], 'is not converted.');
  }
  const gpus = gpuCount(ctx, s);
  if (gpus !== undefined) limits['nvidia.com/gpu'] = String(gpus);
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return undefined;
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) };
}

function capability(name: string): string {
  return name.toUpperCase().replace(/^CAP_/, '');
}

const MAX_ID = 2147483647;

function securityContext(ctx: TransformContext, s: ComposeService): SecurityContext | undefined {
  const sc: SecurityContext = {};
  if (s.user !== undefined && s.user !== '') {
    const m = /^(\d+)(?::(\d+))?$/.exec(s.user);
    if (m) {
      // Kubernetes takes ids from 0 to 2147483647; a longer number would be written as 1e+20.
      for (const id of [m[1], m[2]]) {
        if (id !== undefined && Number(id) > MAX_ID)
          throw ctx.error(
            ['services', s.name, 'user'],
            `'${s.user}' holds an id above ${MAX_ID}, the largest uid or gid Kubernetes accepts.`,
          );
      }
      sc.runAsUser = Number(m[1]);
      if (m[2] !== undefined) sc.runAsGroup = Number(m[2]);
    } else
      ctx.warn(
        ['services', s.name, 'user'],
        `'${s.user}' is a name; Kubernetes needs a numeric uid[:gid]: ignored (the image's user runs).`,
      );
  }
  const caps: Capabilities = {};
  if (s.capAdd.length) caps.add = s.capAdd.map(capability);
  if (s.capDrop.length) caps.drop = s.capDrop.map(capability);
  if (caps.add || caps.drop) sc.capabilities = caps;
  if (s.privileged) sc.privileged = true;
  if (s.readOnly) sc.readOnlyRootFilesystem = true;
  s.securityOpt.forEach((opt, i) => {
    if (/^no-new-privileges(?::true|=true)?$/.test(opt)) sc.allowPrivilegeEscalation = false;
    else if (/^no-new-privileges[:=]false$/.test(opt)) return;
    else ctx.warn(['services', s.name, 'security_opt', i], `'${opt}' is not converted (only no-new-privileges is): ignored.`);
  });
  return Object.keys(sc).length ? sc : undefined;
}

function containerPorts(ctx: TransformContext, s: ComposeService): ContainerPort[] {
  const seen = new Map<string, ContainerPort>();
  s.ports.forEach((p, i) => {
    const key = `${p.target}/${p.protocol}`;
    if (seen.has(key)) return;
    const port: ContainerPort = { containerPort: p.target, protocol: p.protocol.toUpperCase() };
    if (p.name) {
      const name = p.name.toLowerCase();
      const problem = portNameProblem(name);
      if (problem)
        throw ctx.error(['services', s.name, 'ports', p.index ?? i, 'name'], `'${p.name}' cannot be a Kubernetes port name: ${problem}.`);
      port.name = name;
    }
    seen.set(key, port);
  });
  for (const e of s.expose) {
    const key = `${e.port}/${e.protocol}`;
    if (!seen.has(key)) seen.set(key, { containerPort: e.port, protocol: e.protocol.toUpperCase() });
  }
  return [...seen.values()].sort((a, b) => a.containerPort - b.containerPort || String(a.protocol).localeCompare(String(b.protocol)));
}

const PULL_POLICIES: Record<string, string> = { always: 'Always', never: 'Never', missing: 'IfNotPresent', if_not_present: 'IfNotPresent' };

/** The service's container (without volume mounts, which storage adds). */
export function buildContainer(ctx: TransformContext, plan: ServicePlan, image: string, envConfigMap: string | undefined): Container {
  const s = plan.service;
  const c: Container = { name: plan.name, image };
  if (s.entrypoint) c.command = s.entrypoint.map(escapeDependentVariables);
  if (s.command) c.args = s.command.map(escapeDependentVariables);
  const { env } = containerEnv(s);
  if (env.length) c.env = env;
  if (envConfigMap) c.envFrom = [{ configMapRef: { name: envConfigMap } }];
  const ports = containerPorts(ctx, s);
  if (ports.length) c.ports = ports;
  if (s.healthcheck) {
    if (!s.healthcheck.test && s.keys.includes('healthcheck') && Object.keys(s.healthcheck).length > 0) {
      ctx.warn(['services', s.name, 'healthcheck'], "has no test (the image's own HEALTHCHECK is unknown here): no probe.");
    }
    Object.assign(c, healthcheckProbes(s.healthcheck));
  }
  const r = resources(ctx, s);
  if (r) c.resources = r;
  const sc = securityContext(ctx, s);
  if (sc) c.securityContext = sc;
  if (s.workingDir) c.workingDir = s.workingDir;
  if (s.tty) c.tty = true;
  if (s.stdinOpen) c.stdin = true;
  const lifecycle: NonNullable<Container['lifecycle']> = {};
  for (const [key, hooks, slot] of [
    ['post_start', s.postStart, 'postStart'],
    ['pre_stop', s.preStop, 'preStop'],
  ] as const) {
    hooks.forEach((hook, i) => {
      if (i > 0) ctx.warn(['services', s.name, key, i], 'is not converted: a Kubernetes container has one hook of each kind.');
      for (const k of hook.unsupported)
        ctx.warn(['services', s.name, key, i, k], 'is not converted: a Kubernetes hook runs as the container does.');
    });
    if (hooks.length) lifecycle[slot] = { exec: { command: hooks[0].command.map(escapeDependentVariables) } };
  }
  if (lifecycle.postStart || lifecycle.preStop) c.lifecycle = lifecycle;
  if (s.pullPolicy !== undefined) {
    const policy = PULL_POLICIES[s.pullPolicy];
    if (policy) c.imagePullPolicy = policy;
    else ctx.warn(['services', s.name, 'pull_policy'], `'${s.pullPolicy}' has no Kubernetes equivalent: the cluster's default applies.`);
  }
  return c;
}
