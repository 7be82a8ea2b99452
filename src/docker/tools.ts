import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
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

/**
 * Finds Compose alone, quickly: v2 by asking `docker compose` (a CLI plugin that answers in
 * milliseconds), v1 by finding `docker-compose` on PATH without starting it (its Python start-up
 * costs about a second, which a task that runs it several times anyway need not pay once more).
 * Same preference as {@link detectDockerTools}: v2 when present, else v1, else undefined.
 */
export async function detectCompose(runner: ProcessRunner, env: NodeJS.ProcessEnv = process.env): Promise<ComposeCommand | undefined> {
  try {
    const v2 = await runner.exec('docker', ['compose', 'version', '--short'], { quiet: true, noEcho: true, env });
    if (v2.code === 0) return { version: 2, file: 'docker', args: ['compose'] };
  } catch {
    // no docker CLI: v1 may still be there
  }
  return findOnPath('docker-compose', env) ? { version: 1, file: 'docker-compose', args: [] } : undefined;
}

/** True when an executable named `name` is on `env`'s PATH (with PATHEXT on Windows). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const extensions = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      try {
        accessSync(join(dir, name + ext), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}
