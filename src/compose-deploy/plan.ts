import type { ComposeCommand } from '../docker/tools';
import { ANNOTATIONS, runTraceability } from '../digests/traceability';
import type { PipelineVariables } from '../pipeline/interfaces';
import type { ContainerState } from '../docker/containers';
import type { ComposeProject } from '../compose/model';
import { findDigest, type DigestFile } from '../digests/digest-file';
import { parseImageReference, repositoryOf } from '../docker/reference';

/**
 * ComposeDeploy@1's planners, pure: which image each service runs (pinned by digest), the labels
 * that trace a container to the run that deployed it, the generated override file that carries
 * both (the user's compose files are never changed), and the rollback to what ran before.
 */

/** One service's image in this deploy. */
export interface DeployImage {
  service: string;
  /** The image as the compose files resolve it (`repo:tag`), or the name Compose gives a built one. */
  image: string;
  /** What the host runs: `repo@sha256:…` when pinned, else `image`. */
  deployed: string;
  pinned: boolean;
  /** The service has a `build:` section (its image exists only where it was pushed). */
  built: boolean;
}

/** What one service's container runs now on the host. */
export interface RunningService {
  service: string;
  /** The image as its container was created with (`Config.Image`). */
  image: string;
  /** Its traceability labels (those of {@link ANNOTATIONS}), to keep when its image does not change. */
  labels: Record<string, string>;
}

/** One service's entry in the override file. */
export interface OverrideEntry {
  service: string;
  image: string;
  labels: Record<string, string>;
}

/** The label keys on containers: the same names as ComposeToK8s@1's annotations. */
export const LABELS = ANNOTATIONS;
const TRACE_KEYS: readonly string[] = Object.values(LABELS);

/**
 * Each enabled service's image, pinned by the digest file where it has the image (a service with
 * only `build:` is looked up as `<project>-<service>`, the name Compose v2 gives it). An image
 * already written with a digest stays as written.
 */
export function planImages(project: Pick<ComposeProject, 'name' | 'services'>, digests: DigestFile | undefined): DeployImage[] {
  return project.services.map((s) => {
    const built = s.build !== undefined;
    const image = s.image ?? `${project.name}-${s.name}`;
    const ref = parseImageReference(image);
    if (ref.digest) return { service: s.name, image, deployed: image, pinned: true, built };
    const digest = digests ? findDigest(digests, image) : undefined;
    return digest
      ? { service: s.name, image, deployed: `${repositoryOf(ref)}@${digest}`, pinned: true, built }
      : { service: s.name, image, deployed: image, pinned: false, built };
  });
}

/** The images this project builds that are not pinned (requirePinned refuses them), in service order. */
export function unpinnedBuiltImages(images: readonly DeployImage[]): DeployImage[] {
  return images.filter((i) => i.built && !i.pinned);
}

/**
 * The traceability labels of a container whose image this run deploys: the run's address, and the
 * build number and commit the image comes from (the digest file's, else this run's), and
 * `service=repo@sha256:…`.
 */
export function planTraceabilityLabels(v: PipelineVariables, digests: DigestFile | undefined, image: DeployImage): Record<string, string> {
  const labels = runTraceability(v, digests);
  if (image.pinned) labels[LABELS.images] = `${image.service}=${image.deployed}`;
  return labels;
}

/** The service containers of the project as they run now (one per service: the lowest-numbered), with their traceability labels. */
export function planRunning(containers: readonly ContainerState[]): RunningService[] {
  const byService = new Map<string, ContainerState>();
  for (const c of [...containers].filter((c) => !c.oneOff).sort((a, b) => a.number - b.number)) {
    if (!byService.has(c.service)) byService.set(c.service, c);
  }
  return [...byService.values()]
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))
    .map((c) => ({
      service: c.service,
      image: c.image,
      labels: Object.fromEntries(Object.entries(c.labels).filter(([k]) => TRACE_KEYS.includes(k))),
    }));
}

/**
 * The override entries of a deploy. A service whose container already runs the image this deploy
 * pins keeps that container's labels, so Compose sees no change and leaves it running; any other
 * service gets this run's labels.
 */
export function planDeploy(
  images: readonly DeployImage[],
  running: readonly RunningService[],
  labelsFor: (image: DeployImage) => Record<string, string>,
): OverrideEntry[] {
  return images.map((i) => {
    const now = running.find((r) => r.service === i.service);
    const keep = now !== undefined && now.image === i.deployed && Object.keys(now.labels).length > 0;
    return { service: i.service, image: i.deployed, labels: keep ? now.labels : labelsFor(i) };
  });
}

/**
 * The services whose container must be replaced for `entries` to run: its image or traceability
 * labels differ from the running container's. Compose v1 cannot recreate a container on Docker 25
 * or later (it reads the image's `ContainerConfig`, which the engine no longer reports), so on v1
 * these are removed before `up`, which then creates them afresh.
 */
export function planStaleServices(entries: readonly OverrideEntry[], running: readonly RunningService[]): string[] {
  const same = (a: Record<string, string>, b: Record<string, string>): boolean =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  return entries
    .filter((e) => {
      const now = running.find((r) => r.service === e.service);
      return now !== undefined && (now.image !== e.image || !same(now.labels, e.labels));
    })
    .map((e) => e.service);
}

/** How to go back to what ran before a failed deploy. */
export interface RollbackPlan {
  /** The services that ran before, with their image and labels as they were. */
  restore: OverrideEntry[];
  /** Services this deploy started that did not run before: stopped and removed. */
  remove: string[];
}

/** The rollback: every service that ran before gets its image and labels back; new ones go. Undefined when nothing ran before. */
export function planRollback(images: readonly DeployImage[], running: readonly RunningService[]): RollbackPlan | undefined {
  if (running.length === 0) return undefined;
  const restore = running
    .filter((r) => images.some((i) => i.service === r.service))
    .map((r) => ({ service: r.service, image: r.image, labels: r.labels }));
  const remove = images.filter((i) => !running.some((r) => r.service === i.service)).map((i) => i.service);
  return { restore, remove };
}

/** Compose interpolates every file it reads, the override too: `$` is written `$$`. */
function quote(text: string): string {
  return JSON.stringify(text.replace(/\$/g, '$$$$'));
}

/**
 * The generated override file, given last to every compose command: each service's image and
 * labels. JSON-quoted strings are YAML double-quoted scalars; keys are sorted, so the text depends
 * on nothing but the entries.
 */
export function planOverrideFile(entries: readonly OverrideEntry[]): string {
  const lines = ['# Generated by ComposeDeploy@1: the images pinned by digest and the traceability labels.', 'services:'];
  for (const e of [...entries].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))) {
    lines.push(`  ${quote(e.service)}:`, `    image: ${quote(e.image)}`);
    const labels = Object.keys(e.labels).sort();
    if (labels.length > 0) lines.push('    labels:', ...labels.map((k) => `      ${quote(k)}: ${quote(e.labels[k])}`));
  }
  return `${lines.join('\n')}\n`;
}

/** `service=image` pairs, comma-separated and sorted: the output variables' form. */
export function formatImageList(entries: ReadonlyArray<{ service: string; image: string }>): string {
  return entries
    .map((e) => `${e.service}=${e.image}`)
    .sort()
    .join(',');
}

/**
 * Whether Compose v2's own `up --wait` can gate the deploy: not on v1, and not when a service is
 * one that another waits to complete (`service_completed_successfully`), whose exit `--wait` would
 * take for a failure.
 */
export function canUseUpWait(compose: ComposeCommand, project: Pick<ComposeProject, 'services'>): boolean {
  return compose.version === 2 && oneShotServices(project).length === 0;
}

/** Services another one depends on with `condition: service_completed_successfully`. */
export function oneShotServices(project: Pick<ComposeProject, 'services'>): string[] {
  const found = new Set<string>();
  for (const s of project.services)
    for (const [dep, d] of Object.entries(s.dependsOn)) if (d.condition === 'service_completed_successfully') found.add(dep);
  return [...found].sort();
}

/** The services whose image can be pulled: all but a built one that is not pinned (it has no registry to come from). */
export function planPullServices(images: readonly DeployImage[]): string[] {
  return images.filter((i) => !i.built || i.pinned).map((i) => i.service);
}
