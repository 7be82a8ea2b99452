import { FileError } from '../common/errors';
import type { ComposeService } from './model';
import { formatPath, type KeyPath } from './paths';

/**
 * The services' dependency graph, as Compose builds it: `depends_on`, `links`,
 * `network_mode: service:x` and `volumes_from: x` each make a service start after x. A cycle is an
 * error (Compose refuses it; converted, its init containers would wait for each other forever).
 */

/** The services a service starts after, with the key that says so, sorted by name. */
function dependenciesOf(s: ComposeService): Array<{ name: string; key: KeyPath }> {
  const out = new Map<string, KeyPath>();
  for (const [dep, d] of Object.entries(s.dependsOn)) if (!d.implicit) out.set(dep, ['services', s.name, 'depends_on', dep]);
  const links = s.other['links'];
  if (Array.isArray(links))
    links.forEach((l, i) => {
      const name = String(l).split(':')[0];
      if (!out.has(name)) out.set(name, ['services', s.name, 'links', i]);
    });
  const shared = /^service:(.+)$/.exec(s.networkMode ?? '');
  if (shared && !out.has(shared[1])) out.set(shared[1], ['services', s.name, 'network_mode']);
  const from = s.other['volumes_from'];
  if (Array.isArray(from)) {
    from.forEach((v, i) => {
      const text = String(v);
      if (text.startsWith('container:')) return;
      const name = text.split(':')[0];
      if (!out.has(name)) out.set(name, ['services', s.name, 'volumes_from', i]);
    });
  }
  return [...out.entries()].map(([name, key]) => ({ name, key })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Throws a FileError naming the first dependency cycle among the services (`a -> b -> a`), located at the key that closes it. */
export function checkDependencyCycles(
  services: readonly ComposeService[],
  locate: (path: KeyPath) => string | undefined,
  fallback: string,
): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of dependenciesOf(byName.get(name)!)) {
      if (!byName.has(dep.name)) continue;
      const seen = state.get(dep.name);
      if (seen === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep.name)), dep.name];
        throw new FileError(locate(dep.key) ?? fallback, `${formatPath(dep.key)}: dependency cycle detected: ${cycle.join(' -> ')}.`);
      }
      if (seen === undefined) visit(dep.name);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of [...services].sort((a, b) => (a.name < b.name ? -1 : 1))) if (!state.has(s.name)) visit(s.name);
}
