import type { ComposeProject, ComposeService } from '../compose/model';
import type { TransformContext } from './context';
import type { ServicePlan } from './service-plan';

/**
 * Services that others reach by name need a Service, which only ports or expose give. Who names a
 * service: `depends_on` (except waiting for completion), `links`, and host names in environment
 * values (`DB_HOST=db`, `mysql://u:p@db:3306/x`, `http://api/`).
 */

/** A host name in a value: after start, `/`, `@`, `=`, `,`, `;`, space or `(`; before end, `:`, `/`, `,`, `;`, space, `)` or `?`. */
const HOST = /(?<=^|[/@=,;\s(])([A-Za-z0-9][A-Za-z0-9_.-]*)(?=$|[:/,;\s)?])/g;

/** Who refers to each service, as `referrer (how)`, per referred service name. */
function findReferences(services: readonly ComposeService[]): Map<string, string[]> {
  const names = new Set(services.map((s) => s.name));
  const refs = new Map<string, string[]>();
  const add = (target: string, from: ComposeService, how: string): void => {
    if (target === from.name || !names.has(target)) return;
    const list = refs.get(target) ?? [];
    const entry = `${from.name} (${how})`;
    if (!list.includes(entry)) list.push(entry);
    refs.set(target, list);
  };
  for (const s of services) {
    for (const [dep, d] of Object.entries(s.dependsOn))
      if (d.condition !== 'service_completed_successfully') add(dep, s, d.implicit ?? 'depends_on');
    const links = s.other['links'];
    if (Array.isArray(links)) for (const link of links) add(String(link).split(':')[0], s, 'links');
    const values: Array<[string, string]> = [
      ...Object.entries(s.envFileValues),
      ...Object.entries(s.environment).filter((e): e is [string, string] => e[1] !== null),
    ];
    for (const [key, value] of values) {
      for (const m of value.matchAll(HOST)) add(m[1], s, `environment ${key}`);
    }
  }
  return refs;
}

/** Warns about each long-running service that others refer to but that gets no Service, naming who refers to it. */
export function warnUnreachable(ctx: TransformContext, plans: readonly ServicePlan[]): void {
  const refs = findReferences(plans.map((p) => p.service));
  for (const p of plans) {
    const by = refs.get(p.service.name);
    if (p.serviceType || p.podOf || p.kind === 'Job' || p.kind === 'CronJob' || !by) continue;
    ctx.warn(
      ['services', p.service.name],
      `has no ports or expose, so it gets no Service, and ${by.sort().join(', ')} cannot reach it by name: add expose with the ports it listens on.`,
    );
  }
}

/** The image of each service that others refer to but that has no ports or expose (`<project>-<service>` for a build-only one). */
export function servicesNeedingImagePorts(project: ComposeProject): Map<string, string> {
  const refs = findReferences(project.services);
  const out = new Map<string, string>();
  for (const s of project.services) {
    if (s.ports.length || s.expose.length || !refs.has(s.name) || /^(service|container):/.test(s.networkMode ?? '')) continue;
    const image = s.image ?? (s.build ? `${project.name}-${s.name}` : undefined);
    if (image) out.set(s.name, image);
  }
  return out;
}
