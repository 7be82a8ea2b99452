import type { Docker, ExposedPort } from '../docker/engine';

/**
 * Ports from an image's EXPOSE, for a service that others reach by name but that declares no ports
 * or expose: the image built here (or pulled) on the agent says what it listens on, so the service
 * still gets its Service. Asked only for such services, and only of the local engine.
 */

/** Finds the EXPOSEd ports of images on this machine, by image reference (absent: unknown). */
export type ImagePortsLookup = (images: readonly string[]) => Promise<Record<string, ExposedPort[]>>;

/**
 * The engine's image inspect of each image, one at a time: an image the engine does not hold, or a
 * machine without docker, leaves its ports unknown (the converter then warns as without the lookup).
 */
export function engineImagePorts(docker: Pick<Docker, 'inspectImages'>): ImagePortsLookup {
  return async (images) => {
    const out: Record<string, ExposedPort[]> = {};
    for (const image of images) {
      try {
        const [details] = await docker.inspectImages([image]);
        out[image] = details.exposedPorts;
      } catch {
        // not on this engine, or no docker on this machine: the ports stay unknown
      }
    }
    return out;
  };
}
