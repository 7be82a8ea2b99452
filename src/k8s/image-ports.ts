import type { ProcessRunner } from '../process/runner';

/**
 * Ports from an image's EXPOSE, for a service that others reach by name but that declares no ports
 * or expose: the image built here (or pulled) on the agent says what it listens on, so the service
 * still gets its Service. Asked only for such services, and only of the local engine.
 */

/** One EXPOSEd port. */
export interface ExposedPort {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** Finds the EXPOSEd ports of images on this machine, by image reference (absent: unknown). */
export type ImagePortsLookup = (images: readonly string[]) => Promise<Record<string, ExposedPort[]>>;

/** `{"5432/tcp":{}}` (docker's `.Config.ExposedPorts` as JSON) → ports, sorted. */
export function parseExposedPorts(json: string): ExposedPort[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!value || typeof value !== 'object') return [];
  const out: ExposedPort[] = [];
  for (const key of Object.keys(value)) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536)
      out.push({ port: Number(m[1]), protocol: (m[2] ?? 'tcp') as ExposedPort['protocol'] });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** `docker image inspect` of each image on the local engine; an image or a docker it cannot find gives nothing. */
export function dockerImagePorts(runner: ProcessRunner, env?: NodeJS.ProcessEnv): ImagePortsLookup {
  return async (images) => {
    const out: Record<string, ExposedPort[]> = {};
    for (const image of images) {
      try {
        const result = await runner.exec('docker', ['image', 'inspect', '--format', '{{json .Config.ExposedPorts}}', image], {
          quiet: true,
          noEcho: true,
          ...(env ? { env } : {}),
        });
        if (result.code === 0) out[image] = parseExposedPorts(result.stdout.trim());
      } catch {
        // no docker on this machine: the ports stay unknown
      }
    }
    return out;
  };
}
