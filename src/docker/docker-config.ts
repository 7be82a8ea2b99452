import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '../common/fs';
import type { PipelineOutput } from '../pipeline/interfaces';
import type { Docker } from './engine';
import { agentPluginDirs } from './plugins';
import type { RegistryCredentials } from './registry-credentials';

/**
 * Runs `body` with a temporary DOCKER_CONFIG logged in to each registry, and deletes it afterwards
 * whatever happens. `tempRoot` is a folder the agent cleans (Agent.TempDirectory, or a folder under
 * it), so that even a SIGKILL leaves no credentials where nobody removes them. Passwords are
 * registered as secrets and reach docker on stdin only (Docker.login). The agent's CLI plugins (buildx, Compose v2
 * in ~/.docker/cli-plugins) stay in use: the temporary config.json lists their folders in
 * `cliPluginsExtraDirs`. With no credentials `body` gets undefined and docker uses the agent's own
 * configuration.
 */
export async function withDockerLogin<T>(
  deps: { docker: Pick<Docker, 'login'>; output: PipelineOutput },
  credentials: readonly RegistryCredentials[],
  options: { tempRoot: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
  body: (dockerConfig: string | undefined) => Promise<T>,
): Promise<T> {
  if (credentials.length === 0) return body(undefined);
  for (const c of credentials) deps.output.setSecret(c.password);
  return withTempDir(options.tempRoot, 'outerloop-docker-', async (dir) => {
    const config = { cliPluginsExtraDirs: await agentPluginDirs(options.env) };
    await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    for (const c of credentials) {
      await deps.docker.login(c, { dockerConfig: dir, signal: options.signal });
      deps.output.info(`Logged in to ${c.registry} as ${c.username} (temporary DOCKER_CONFIG).`);
    }
    return body(dir);
  });
}
