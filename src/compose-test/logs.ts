import { join } from 'node:path';
import { emptyDir, writeFileAtomic } from '../common/fs';
import type { Compose } from '../docker/compose';
import type { ContainerState } from '../docker/containers';
import type { Docker } from '../docker/engine';

/**
 * The log file of a container, named the same whatever Compose version named the container
 * (v1 `shop_web_1`, v2 `shop-web-1`): `<service>-<number>.log`, and `<service>-run-<id>.log` for a
 * one-off `compose run` container.
 */
export function logFileName(c: Pick<ContainerState, 'service' | 'number' | 'oneOff' | 'id'>): string {
  return c.oneOff ? `${c.service}-run-${c.id.slice(0, 12)}.log` : `${c.service}-${c.number}.log`;
}

/**
 * Saves what explains a run into `dir`: each container's logs ({@link logFileName}), `ps.txt` and
 * `containers.json` (each container's state, health-check log, ports and labels). Environment and
 * command lines are left out of the state on purpose: they may hold secrets. Returns the file names.
 */
export async function saveProjectLogs(deps: { docker: Docker; compose: Compose }, project: string, dir: string): Promise<string[]> {
  await emptyDir(dir);
  const [{ containers, raw }, ps] = await Promise.all([deps.docker.inspectProject(project), deps.compose.ps()]);
  const files: string[] = [];
  await Promise.all(
    containers.map(async (c) => {
      const file = logFileName(c);
      await writeFileAtomic(join(dir, file), await deps.docker.logs(c.id));
      files.push(file);
    }),
  );
  await writeFileAtomic(join(dir, 'ps.txt'), ps);
  await writeFileAtomic(join(dir, 'containers.json'), JSON.stringify(raw.map(summarizeContainer), null, 2) + '\n');
  return [...files.sort(), 'ps.txt', 'containers.json'];
}

/** The parts of `docker inspect` that explain a container's fate, and nothing that may be secret. */
export function summarizeContainer(raw: unknown): Record<string, unknown> {
  const c = raw as {
    Id?: string;
    Name?: string;
    Created?: string;
    RestartCount?: number;
    Image?: string;
    Config?: { Image?: string; Labels?: Record<string, string> | null; Healthcheck?: unknown };
    State?: unknown;
    NetworkSettings?: { Ports?: unknown };
  };
  return {
    Id: c.Id,
    Name: c.Name?.replace(/^\//, ''),
    Created: c.Created,
    Image: c.Config?.Image,
    ImageId: c.Image,
    Labels: c.Config?.Labels ?? {},
    Healthcheck: c.Config?.Healthcheck,
    State: c.State,
    RestartCount: c.RestartCount,
    Ports: c.NetworkSettings?.Ports ?? {},
  };
}
