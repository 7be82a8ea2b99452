import type { Argv } from '../docker/compose';
import type { ContainerState } from '../docker/containers';

/**
 * ComposeTest's pure planners: the project name rule, the port variables and the test command and
 * its environment (the compose command lines are src/docker/compose.ts's). Inputs and facts in, argv or values out.
 */

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
  const repository =
    sanitizeProjectName(facts.repository ?? '')
      .slice(0, 40)
      .replace(/[-_]+$/, '') || 'compose';
  const parts = [repository, sanitizeProjectName(facts.buildId ?? '') || facts.fallbackSuffix];
  const job = sanitizeProjectName(facts.jobId ?? '')
    .replace(/[-_]/g, '')
    .slice(0, 8);
  if (job) parts.push(job);
  return parts.join('-');
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
