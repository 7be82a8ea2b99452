import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessRunner } from '../process/runner';
import { findCliPlugin } from './plugins';

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
async function probeTool(
  runner: ProcessRunner,
  env: NodeJS.ProcessEnv | undefined,
  file: string,
  args: string[],
): Promise<string | undefined> {
  try {
    const r = await runner.exec(file, args, { quiet: true, noEcho: true, env });
    return r.code === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined; // not installed
  }
}

/**
 * True when `docker buildx` is installed: its plugin file in one of docker's plugin folders (no
 * process to start, ~0.1 s saved per task on a busy agent), else `docker buildx version` answering
 * (a plugin somewhere else, e.g. a snap's). The full {@link detectDockerTools} also asks the engine
 * and looks for Compose.
 */
export async function detectBuildx(
  runner: ProcessRunner,
  env?: NodeJS.ProcessEnv,
  findPlugin: typeof findCliPlugin = findCliPlugin,
): Promise<boolean> {
  if (await findPlugin('buildx', env)) return true;
  return (await probeTool(runner, env, 'docker', ['buildx', 'version'])) !== undefined;
}

/** Asks the installed tools what they are. Runs quietly; the probes run in parallel. */
export async function detectDockerTools(runner: ProcessRunner, env?: NodeJS.ProcessEnv): Promise<DockerTools> {
  const [versions, buildx, compose] = await Promise.all([
    probeTool(runner, env, 'docker', ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}']),
    detectBuildx(runner, env),
    detectCompose(runner, env),
  ]);
  const [clientVersion, serverVersion] = (versions ?? '|').split('|');
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
 * v2 when present, else v1, else undefined; {@link detectDockerTools} uses this too.
 */
export async function detectCompose(runner: ProcessRunner, env: NodeJS.ProcessEnv = process.env): Promise<ComposeCommand | undefined> {
  if ((await probeTool(runner, env, 'docker', ['compose', 'version', '--short'])) !== undefined) {
    return { version: 2, file: 'docker', args: ['compose'] };
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
