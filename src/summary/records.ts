import type { RenderedImage } from '../k8s/objects';
import type { RecordBody } from './publish';
import type { ServiceRecord, TestTotals } from './record';

// The record builders take plain types owned here, not the tasks' plan types: the tasks import this
// module to publish, so naming their types here would make a folder cycle. A task's plan fits these
// shapes as it is (TypeScript types are structural).

/** What DockerBuildTag@1 built: the fields of its plan the record keeps. */
export interface BuiltImageFacts {
  repository: string;
  tags: readonly string[];
  /** `repository:tag` for each tag. */
  imageReferences: readonly string[];
  version: string;
  builder: 'buildx' | 'classic';
  labels: ReadonlyArray<readonly [string, string]>;
}

/** One image PushDigest@1 pushed: its reference, its tag and the digest the push recorded. */
export interface PushedImageFacts {
  reference: string;
  image: { tag: string };
  digest: string;
}

/** DockerBuildTag@1's record, from its plan and the image the build produced. */
export function dockerBuildTagRecord(plan: BuiltImageFacts, imageId: string): RecordBody {
  return {
    task: 'DockerBuildTag',
    image: {
      repository: plan.repository,
      imageId,
      tags: [...plan.tags],
      references: [...plan.imageReferences],
      version: plan.version,
      builder: plan.builder,
      labels: Object.fromEntries(plan.labels),
    },
  };
}

/** PushDigest@1's record. */
export function pushDigestRecord(
  pushed: readonly PushedImageFacts[],
  files: { verified: boolean; digestFile: string; lockedComposeFile?: string; artifact?: string },
): RecordBody {
  return {
    task: 'PushDigest',
    images: pushed.map((p) => ({
      reference: p.reference,
      repository: p.reference.slice(0, p.reference.length - p.image.tag.length - 1),
      tag: p.image.tag,
      digest: p.digest,
      verified: files.verified,
    })),
    digestFile: files.digestFile,
    lockedComposeFile: files.lockedComposeFile,
    artifact: files.artifact,
  };
}

/** What ComposeToK8s@1 knows when it is done. */
export interface ComposeToK8sFacts {
  action: 'render' | 'deploy';
  project: string;
  namespace: string;
  cluster?: string;
  objects: readonly string[];
  pruned?: readonly string[];
  /** `deployment/web` for each workload rolled out. */
  workloads?: readonly string[];
  images: readonly RenderedImage[];
  manifestsFile: string;
}

/** ComposeToK8s@1's record. */
export function composeToK8sRecord(facts: ComposeToK8sFacts): RecordBody {
  return {
    task: 'ComposeToK8s',
    action: facts.action,
    project: facts.project,
    namespace: facts.namespace,
    cluster: facts.cluster,
    objects: [...facts.objects],
    pruned: [...(facts.pruned ?? [])],
    workloads: (facts.workloads ?? []).map((name) => ({ name, status: 'rolled out' as const })),
    images: facts.images.map((i) => ({ service: i.service, image: i.resolved, pinned: i.pinned })),
    manifestsFile: facts.manifestsFile,
  };
}

/** One container as ComposeTest@1 saw it when the app was ready. */
export interface ContainerFact {
  service: string;
  status: string;
  oneOff: boolean;
}

/** What ComposeTest@1 knows when it is done, whatever the outcome. */
export interface ComposeTestFacts {
  project: string;
  failure?: string;
  containers: readonly ContainerFact[];
  readyAfterMs?: number;
  testDurationMs?: number;
  exitCode?: number;
  tests?: TestTotals;
  logsArtifact?: string;
  /** `System.CollectionUri`, `System.TeamProject` and `Build.BuildId`, for the link to the logs. */
  run?: { collectionUri?: string; project?: string; buildId?: string };
}

/** ComposeTest@1's record. */
export function composeTestRecord(facts: ComposeTestFacts): RecordBody {
  const { run } = facts;
  return {
    task: 'ComposeTest',
    project: facts.project,
    outcome: facts.failure === undefined ? 'passed' : 'failed',
    failure: facts.failure,
    services: summarizeServices(facts.containers),
    readyAfterMs: facts.readyAfterMs,
    testDurationMs: facts.testDurationMs,
    exitCode: facts.exitCode,
    tests: facts.tests,
    logsArtifact: facts.logsArtifact,
    logsUrl:
      facts.logsArtifact && run?.collectionUri && run.project && run.buildId
        ? `${run.collectionUri.replace(/\/?$/, '/')}${encodeURIComponent(run.project)}/_build/results?buildId=${encodeURIComponent(run.buildId)}&view=artifacts&type=publishedArtifacts`
        : undefined,
  };
}

const STATUS_RANK = ['running', 'created', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/** One line per service, sorted: its container count and its worst status. */
export function summarizeServices(containers: readonly ContainerFact[]): ServiceRecord[] {
  const byService = new Map<string, ServiceRecord>();
  for (const c of containers) {
    if (c.oneOff) continue;
    const seen = byService.get(c.service);
    if (!seen) {
      byService.set(c.service, { name: c.service, containers: 1, status: c.status });
      continue;
    }
    seen.containers++;
    if (STATUS_RANK.indexOf(c.status) > STATUS_RANK.indexOf(seen.status)) seen.status = c.status;
  }
  return [...byService.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What ComposeDeploy@1 knows when it is done, whatever the outcome. */
export interface ComposeDeployFacts {
  action: 'deploy' | 'down';
  project: string;
  host: string;
  outcome: 'deployed' | 'rolled back' | 'failed' | 'down';
  failure?: string;
  images: ReadonlyArray<{ service: string; deployed: string; pinned: boolean }>;
  previousImages: ReadonlyArray<{ service: string; image: string }>;
  containers: readonly ContainerFact[];
}

/** ComposeDeploy@1's record. */
export function composeDeployRecord(facts: ComposeDeployFacts): RecordBody {
  return {
    task: 'ComposeDeploy',
    action: facts.action,
    project: facts.project,
    host: facts.host,
    outcome: facts.outcome,
    failure: facts.failure,
    images: facts.images.map((i) => ({ service: i.service, image: i.deployed, pinned: i.pinned })),
    previousImages: facts.previousImages.map((p) => ({ service: p.service, image: p.image })),
    services: summarizeServices(facts.containers),
  };
}
