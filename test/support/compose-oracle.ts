import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * Compose v2 (`docker compose config`) as the reference for the loader. It needs no engine. Found
 * as the Docker CLI plugin; else OUTERLOOP_COMPOSE_V2 names a docker-compose v2 binary (for
 * machines without the plugin, e.g. one unpacked by scripts/debian-suite.sh extract).
 */

const run = promisify(execFile);

/** How to call Compose v2: the program and the arguments before `config`. */
export interface ComposeV2 {
  command: string;
  prefix: string[];
  version: string;
}

function v2Version(command: string, prefix: string[]): string | undefined {
  try {
    const out = execFileSync(command, [...prefix, 'version', '--short'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    return /^v?2\./.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** Compose v2 on this machine, or undefined. */
export function findComposeV2(): ComposeV2 | undefined {
  const binary = process.env['OUTERLOOP_COMPOSE_V2'];
  if (binary && existsSync(binary)) {
    const version = v2Version(binary, []);
    if (version) return { command: binary, prefix: [], version };
  }
  const version = v2Version('docker', ['compose']);
  return version ? { command: 'docker', prefix: ['compose'], version } : undefined;
}

/** What `docker compose config --format json` said: the project, or the error it printed. */
export type OracleAnswer = { ok: true; project: Record<string, unknown> } | { ok: false; error: string };

/**
 * Runs `config --format json` in `cwd` with only PATH and `env` in the environment (so no
 * variable of this machine reaches the interpolation: the loader reads none either).
 */
export async function composeConfig(
  compose: ComposeV2,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<OracleAnswer> {
  try {
    const { stdout } = await run(compose.command, [...compose.prefix, ...args, 'config', '--format', 'json'], {
      cwd,
      env: { ...env, PATH: process.env['PATH'] ?? '' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    return { ok: true, project: JSON.parse(stdout) as Record<string, unknown> };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, error: (e.stderr || e.message).trim() };
  }
}
