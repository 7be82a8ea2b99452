import type { ProcessRunner } from '../process/runner';

/** Which container tools this agent has. Detected, never assumed. */
export interface DockerTools {
  /** The engine's version, or undefined when no engine answers. */
  serverVersion?: string;
  clientVersion?: string;
  /** `docker buildx` is installed (BuildKit builds with --load). */
  buildx: boolean;
  /** How to run Compose: `docker compose` (v2), `docker-compose` (v1), or not at all. */
  compose?: ComposeCommand;
}

/** The argv prefix that runs Compose, and its major version. */
export interface ComposeCommand {
  version: 1 | 2;
  file: string;
  args: string[];
}

/** Runs one quiet probe: its trimmed stdout when it exits 0, else undefined (failed or not installed). */
async function probeTool(runner: ProcessRunner, env: NodeJS.ProcessEnv | undefined, file: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await runner.exec(file, args, { quiet: true, noEcho: true, env });
    return r.code === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined; // not installed
  }
}

/**
 * True when `docker buildx` is installed. One probe only, for tasks that need nothing else: the
 * full {@link detectDockerTools} also asks docker-compose v1, a Python program that takes ~0.3 s to start.
 */
export async function detectBuildx(runner: ProcessRunner, env?: NodeJS.ProcessEnv): Promise<boolean> {
  return (await probeTool(runner, env, 'docker', ['buildx', 'version'])) !== undefined;
}

/** Asks the installed tools what they are. Runs quietly; the probes run in parallel. */
export async function detectDockerTools(runner: ProcessRunner, env?: NodeJS.ProcessEnv): Promise<DockerTools> {
  const probe = (file: string, args: string[]): Promise<string | undefined> => probeTool(runner, env, file, args);
  const [versions, buildx, composeV2, composeV1] = await Promise.all([
    probe('docker', ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}']),
    detectBuildx(runner, env),
    probe('docker', ['compose', 'version', '--short']),
    probe('docker-compose', ['version', '--short']),
  ]);
  const [clientVersion, serverVersion] = (versions ?? '|').split('|');
  let compose: ComposeCommand | undefined;
  if (composeV2 !== undefined) compose = { version: 2, file: 'docker', args: ['compose'] };
  else if (composeV1 !== undefined) compose = { version: 1, file: 'docker-compose', args: [] };
  return {
    clientVersion: clientVersion || undefined,
    serverVersion: serverVersion || undefined,
    buildx,
    compose,
  };
}
