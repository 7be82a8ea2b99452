import { InputError } from '../common/errors';
import { PROJECT_NAME } from '../compose/project-name';
import type { ComposeCommand } from '../docker/tools';
import type { ContainerState } from './readiness';

/**
 * ComposeTest's pure planners: the project name rule, every compose command line (v1 and v2
 * alike) and the test command's environment. Inputs and facts in, argv or values out.
 */

/** A program and its arguments, never a shell string. */
export interface Argv {
  file: string;
  args: string[];
}

/** Which compose, which project, which files and profiles: what every compose command line starts with (not the loader's ComposeProject). */
export interface ComposeInvocation {
  compose: ComposeCommand;
  projectName: string;
  files: readonly string[];
  /** Compose profiles to enable; none when absent. */
  profiles?: readonly string[];
}

/** Rejects a project name Compose would change or refuse (so the name we report is the one used). */
export function validateProjectName(name: string): void {
  if (!PROJECT_NAME.test(name)) {
    throw new InputError('projectName', `must be lower-case letters, digits, '-' and '_', starting with a letter or digit, not '${name}'.`);
  }
}

/** Lower-cases and replaces every run of characters outside `[a-z0-9_-]` with `-`. */
export function sanitizeProjectName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The default project name: the repository name plus the build id (plus the job id's first
 * characters, so parallel jobs of one build on one machine never share a project). Without a
 * build id (a local run) a random suffix stands in for it.
 */
export function planProjectName(facts: { repository?: string; buildId?: string; jobId?: string; fallbackSuffix: string }): string {
  const repository = sanitizeProjectName(facts.repository ?? '').slice(0, 40).replace(/[-_]+$/, '') || 'compose';
  const parts = [repository, sanitizeProjectName(facts.buildId ?? '') || facts.fallbackSuffix];
  const job = sanitizeProjectName(facts.jobId ?? '').replace(/[-_]/g, '').slice(0, 8);
  if (job) parts.push(job);
  return parts.join('-');
}

/**
 * A compose command line: `docker compose [--profile P …] -p NAME -f A -f B …` or the same with
 * `docker-compose` (v1 has `--profile` since 1.28).
 */
export function composeArgv(project: ComposeInvocation, args: readonly string[]): Argv {
  const profiles = (project.profiles ?? []).flatMap((p) => ['--profile', p]);
  const files = project.files.flatMap((f) => ['-f', f]);
  return { file: project.compose.file, args: [...project.compose.args, ...profiles, '-p', project.projectName, ...files, ...args] };
}

/** Top-level keys of a compose file that Compose v1 rejects. */
const V2_ONLY_KEYS = ['name', 'include'] as const;

/**
 * One sentence for a compose file that needs Compose v2 (a top-level `name:` or `include:`) when
 * the agent has only v1; undefined when v1 reads it. `doc` is the parsed file.
 */
export function explainNeedsComposeV2(file: string, doc: unknown): string | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const found = V2_ONLY_KEYS.filter((k) => k in doc);
  if (found.length === 0) return undefined;
  const keys = found.map((k) => `'${k}'`).join(' and ');
  return `names '${file}', whose top-level ${keys} need${found.length === 1 ? 's' : ''} Compose v2 ('docker compose'), but this agent has only Compose v1 ('docker-compose'): install the Compose v2 plugin, or leave ${found.length === 1 ? 'it' : 'them'} out.`;
}

/** `config`: validates and resolves the files (read, never printed: it holds interpolated values). */
export function planConfig(project: ComposeInvocation): Argv {
  return composeArgv(project, ['config']);
}

/** `build` for the services (in scope) that have a build section. */
export function planBuild(project: ComposeInvocation, services: readonly string[]): Argv {
  return composeArgv(project, ['build', ...services]);
}

/** `pull` for the services (in scope) that use an image without building it. */
export function planPull(project: ComposeInvocation, services: readonly string[]): Argv {
  return composeArgv(project, ['pull', ...services]);
}

/** `up -d --no-build` (images were built and pulled before): the named services, or all. */
export function planUp(project: ComposeInvocation, services: readonly string[]): Argv {
  return composeArgv(project, ['up', '-d', '--no-build', ...services]);
}

/** `run --rm -T --no-deps SERVICE`: the test service, its dependencies already up and ready. */
export function planRun(project: ComposeInvocation, service: string): Argv {
  return composeArgv(project, ['run', '--rm', '-T', '--no-deps', service]);
}

/** `ps`, stopped containers included (v2 needs `-a`; v1 shows them always). */
export function planPs(project: ComposeInvocation): Argv {
  return composeArgv(project, project.compose.version === 2 ? ['ps', '-a'] : ['ps']);
}

/** `down -v --remove-orphans`, with a short stop timeout when the job is being cancelled. */
export function planDown(project: ComposeInvocation, options: { stopTimeoutSeconds?: number } = {}): Argv {
  const timeout = options.stopTimeoutSeconds === undefined ? [] : ['--timeout', String(options.stopTimeoutSeconds)];
  return composeArgv(project, ['down', '-v', '--remove-orphans', ...timeout]);
}

/** The variable a published port is announced in: `COMPOSE_<SERVICE>_<PORT>` (`_UDP`/`_SCTP` for those). */
export function portVariableName(service: string, containerPort: string, protocol: string): string {
  const suffix = protocol === 'tcp' ? '' : `_${protocol.toUpperCase()}`;
  return `COMPOSE_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${containerPort}${suffix}`;
}

/**
 * The published ports as `COMPOSE_<SERVICE>_<PORT>=host:port`, from the containers' state. A port
 * bound to every address is reached on 127.0.0.1; one bound to a single address, on that address.
 * With several containers per service (scale), the lowest-numbered one is announced.
 */
export function planPortVariables(containers: readonly ContainerState[]): Record<string, string> {
  const variables: Record<string, string> = {};
  const ordered = [...containers].filter((c) => !c.oneOff).sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
  for (const c of ordered) {
    for (const p of c.ports) {
      const name = portVariableName(c.service, p.containerPort, p.protocol);
      if (name in variables) continue;
      const wildcard = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
      if (!wildcard && p.hostIp.includes(':')) continue; // an IPv6-only binding: its IPv4 twin, if any, is used
      variables[name] = `${wildcard ? '127.0.0.1' : p.hostIp}:${p.hostPort}`;
    }
  }
  return variables;
}

/**
 * The test command's environment: the agent's own, the `environment`/`envFile` values, then
 * COMPOSE_PROJECT_NAME and the port variables (which win: they describe this very run).
 */
export function planTestEnvironment(
  base: NodeJS.ProcessEnv,
  values: Record<string, string>,
  projectName: string,
  containers: readonly ContainerState[],
): NodeJS.ProcessEnv {
  return { ...base, ...values, COMPOSE_PROJECT_NAME: projectName, ...planPortVariables(containers) };
}

/**
 * How the test command line runs: like a `script:` step, the user's own command is the single
 * argument of `bash -c`. Nothing else (no other input, no value) is ever spliced into it; values
 * reach it through its environment.
 */
export function planTestCommand(command: string): Argv {
  return { file: 'bash', args: ['-c', command] };
}
