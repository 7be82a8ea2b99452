import { FileError, InputError, ToolError } from '../common/errors';
import { parseYamlDocuments } from '../compose/yaml';
import type { TestSpec } from './inputs';

/**
 * What ComposeTest needs to know of the app, read from `compose config` (Compose's own merge,
 * interpolation and validation): each service's build section, image and dependencies.
 */

/** One service as `compose config` resolved it (not the loader's ComposeService: only what ComposeTest needs). */
export interface ResolvedService {
  name: string;
  /** It has a `build` section. */
  build: boolean;
  /** Its `image`, when set. */
  image?: string;
  /** Services it depends on, with the `depends_on` condition (`service_started` for the short form). */
  dependsOn: Array<{ service: string; condition: string }>;
  /** Its `profiles`: it runs only when one is enabled (or it is named); empty means always. */
  profiles: string[];
}

/** What `compose config` resolved: the project's services, by name. */
export type ResolvedConfig = Map<string, ResolvedService>;

/** Parses `compose config` output (v1 and v2 print the same shape). */
export function parseComposeConfig(text: string): ResolvedConfig {
  let doc: unknown;
  try {
    // The compose files' own YAML reader: one composer for every compose-shaped document.
    doc = parseYamlDocuments(text, 'output')[0]?.value;
  } catch (err) {
    if (!(err instanceof FileError)) throw err;
    throw new ToolError('compose', `Could not read the output of 'compose config': ${err.message.split('\n')[0]}`);
  }
  const services = (doc as { services?: Record<string, Record<string, unknown>> } | null)?.services ?? {};
  const model: ResolvedConfig = new Map();
  for (const [name, s] of Object.entries(services)) {
    const service = s ?? {};
    model.set(name, {
      name,
      build: service['build'] !== undefined && service['build'] !== null,
      image: typeof service['image'] === 'string' ? service['image'] : undefined,
      dependsOn: readDependsOn(service['depends_on']),
      profiles: Array.isArray(service['profiles']) ? service['profiles'].map(String) : [],
    });
  }
  if (model.size === 0) {
    throw new InputError(
      'composeFiles',
      "name a project without services (or whose profiles enable none): 'compose config' lists nothing to bring up and test.",
    );
  }
  return model;
}

function readDependsOn(value: unknown): ResolvedService['dependsOn'] {
  if (Array.isArray(value)) return value.map((service) => ({ service: String(service), condition: 'service_started' }));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, { condition?: string } | null>).map(([service, spec]) => ({
      service,
      condition: spec?.condition ?? 'service_started',
    }));
  }
  return [];
}

/**
 * The services that run with `profiles` enabled: those without profiles, those with an enabled one,
 * and those `named` on the command line. Compose v2's `config` leaves the others out already; v1's
 * prints every service.
 */
export function enabledServices(model: ResolvedConfig, profiles: readonly string[], named: readonly string[]): ResolvedConfig {
  const enabled = (s: ResolvedService): boolean =>
    s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)) || named.includes(s.name);
  return new Map([...model].filter(([, s]) => enabled(s)));
}

/** What a run brings up, builds, pulls and waits for. */
export interface ComposeScope {
  /** The services named on the `up` command line (empty: all of them). */
  up: string[];
  /** Every service that will run: those, their dependencies and the test service. Sorted. */
  all: string[];
  /** Services in scope with a build section. */
  build: string[];
  /** Services in scope that use an image without building it. */
  pull: string[];
  /**
   * One-shot services: those another service in scope depends on with
   * `condition: service_completed_successfully`. Compose itself treats their exit 0 as success, so
   * the readiness wait does too; any other service that exits fails the run.
   */
  oneShot: string[];
}

/** Works out the scope, rejecting service names the project does not have. */
export function planScope(model: ResolvedConfig, services: readonly string[], test: TestSpec): ComposeScope {
  const known = [...model.keys()].sort();
  const check = (input: string, name: string): void => {
    if (!model.has(name))
      throw new InputError(input, `names service '${name}', which the compose files do not define (they define: ${known.join(', ')}).`);
  };
  services.forEach((s) => check('services', s));
  const testService = test.kind === 'service' ? test.service : undefined;
  if (testService !== undefined) check('testService', testService);

  const requested = services.length > 0 ? [...services] : known.filter((s) => s !== testService);
  const roots = testService === undefined ? requested : [...requested, ...model.get(testService)!.dependsOn.map((d) => d.service)];
  const running = closure(model, roots);
  running.delete(testService ?? '');
  // `up` with the user's names (or none: everything) starts their dependencies itself; with a test
  // service, which must not start as an app service, every other service is named.
  const up = testService === undefined ? [...services] : [...running].sort();
  const all = [...running, ...(testService ? [testService] : [])].sort();
  const oneShot = new Set<string>();
  for (const name of all) {
    for (const d of model.get(name)?.dependsOn ?? []) if (d.condition === 'service_completed_successfully') oneShot.add(d.service);
  }
  return {
    up,
    all,
    build: all.filter((s) => model.get(s)?.build),
    pull: all.filter((s) => !model.get(s)?.build),
    oneShot: [...oneShot].sort(),
  };
}

function closure(model: ResolvedConfig, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !model.has(name)) return;
    seen.add(name);
    for (const d of model.get(name)!.dependsOn) visit(d.service);
  };
  roots.forEach(visit);
  return seen;
}

/**
 * The images the run built (for `removeImages`): a service's `image` when set, else the name
 * Compose gives a built image (`<project>_<service>` in v1, `<project>-<service>` in v2).
 */
export function planBuiltImages(model: ResolvedConfig, scope: ComposeScope, projectName: string, composeVersion: 1 | 2): string[] {
  const separator = composeVersion === 1 ? '_' : '-';
  return scope.build.map((s) => model.get(s)?.image ?? `${projectName}${separator}${s}`);
}
