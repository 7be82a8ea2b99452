import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the docker CLI finds its plugins (buildx, Compose v2), in docker/cli's order: the user's
 * configuration folder and its `cliPluginsExtraDirs`, then the system's folders.
 */

/**
 * The folders of the agent's own docker CLI plugins besides the system ones: `cli-plugins` in its
 * DOCKER_CONFIG (else ~/.docker), then that configuration's `cliPluginsExtraDirs`. A temporary
 * DOCKER_CONFIG would hide them; withDockerLogin (docker-config.ts) names them in its config.json instead.
 */
export async function agentPluginDirs(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const configDir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  const dirs = [join(configDir, 'cli-plugins')];
  try {
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(config.cliPluginsExtraDirs))
      dirs.push(...config.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string'));
  } catch {
    // No configuration, or one docker could not read either: the default folder only.
  }
  return dirs;
}

/** The system's plugin folders on this platform (docker/cli's defaultSystemPluginDirs). */
export function systemPluginDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') {
    return [env['ProgramData'], env['ProgramFiles']].filter((d): d is string => !!d).map((d) => join(d, 'Docker', 'cli-plugins'));
  }
  const unix = [
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
  return platform === 'darwin' ? [...unix, '/Applications/Docker.app/Contents/Resources/cli-plugins'] : unix;
}

/**
 * True when an executable `docker-<name>` plugin is in one of the folders docker looks in. A file
 * check, so it costs no process; false means "not in a usual place", not "not installed".
 */
export async function findCliPlugin(name: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = `docker-${name}${process.platform === 'win32' ? '.exe' : ''}`;
  const dirs = [...(await agentPluginDirs(env)), ...systemPluginDirs(env)];
  const found = await Promise.all(
    dirs.map((d) =>
      access(join(d, file), constants.X_OK).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.includes(true);
}
