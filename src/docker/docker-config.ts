import { readFile, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '../common/errors';
import { withTempDir } from '../common/fs';
import type { PipelineOutput } from '../pipeline/interfaces';
import { failureReason, type ProcessRunner } from '../process/runner';
import type { RegistryCredentials } from './registry-credentials';

/**
 * The folders of the agent's own docker CLI plugins besides the system ones: `cli-plugins` in its
 * DOCKER_CONFIG (else ~/.docker), then that configuration's `cliPluginsExtraDirs`. A temporary
 * DOCKER_CONFIG would hide them; {@link withDockerLogin} names them in its config.json instead.
 */
export async function agentPluginDirs(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const configDir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  const dirs = [join(configDir, 'cli-plugins')];
  try {
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(config.cliPluginsExtraDirs)) dirs.push(...config.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string'));
  } catch {
    // No configuration, or one docker could not read either: the default folder only.
  }
  return dirs;
}

/**
 * Runs `body` with a temporary DOCKER_CONFIG logged in to each registry, and deletes it afterwards
 * whatever happens. Passwords are registered as secrets and reach docker on stdin only. The agent's
 * CLI plugins (buildx, Compose v2 in ~/.docker/cli-plugins) stay in use: the temporary config.json
 * lists their folders in `cliPluginsExtraDirs`. With no credentials `body` gets undefined and docker
 * uses the agent's own configuration.
 */
export async function withDockerLogin<T>(
  deps: { runner: ProcessRunner; output: PipelineOutput },
  credentials: readonly RegistryCredentials[],
  options: { tempRoot?: string; docker?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
  body: (dockerConfig: string | undefined) => Promise<T>,
): Promise<T> {
  if (credentials.length === 0) return body(undefined);
  for (const c of credentials) deps.output.setSecret(c.password);
  return withTempDir(options.tempRoot ?? tmpdir(), 'outerloop-docker-', async (dir) => {
    const config = { cliPluginsExtraDirs: await agentPluginDirs(options.env) };
    await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    for (const c of credentials) {
      const result = await deps.runner.exec(
        options.docker ?? 'docker',
        ['--config', dir, 'login', c.registry, '--username', c.username, '--password-stdin'],
        { stdin: c.password, quiet: true, signal: options.signal },
      );
      if (result.code !== 0) {
        const reason = failureReason(result);
        throw new ToolError('docker', `docker login to ${c.registry} as ${c.username} failed: ${reason}`, result.code);
      }
      deps.output.info(`Logged in to ${c.registry} as ${c.username} (temporary DOCKER_CONFIG).`);
    }
    return body(dir);
  });
}

/** The environment for docker commands that should use `dockerConfig` (when set). */
export function dockerEnv(dockerConfig: string | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return dockerConfig ? { ...base, DOCKER_CONFIG: dockerConfig } : base;
}
