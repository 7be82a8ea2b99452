import type { ContainerState } from '../../../src/docker/containers';

/** A running service container of project `shop`, as `docker inspect` reads into ContainerState. */
export function runningContainer(
  service: string,
  image: string,
  labels: Record<string, string> = {},
  extra: Partial<ContainerState> = {},
): ContainerState {
  return {
    id: `id-${service}`,
    name: `shop-${service}-1`,
    service,
    number: 1,
    oneOff: false,
    image,
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    ports: [],
    labels,
    ...extra,
  };
}
