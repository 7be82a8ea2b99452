/**
 * The machine-readable record of what a task did: one JSON attachment per task step
 * (`##vso[task.addattachment type=outerloop.result;name=…]`), read by the run page's Outer loop tab.
 * The schema is documented in docs/result-record.md; a change that drops or retypes a field takes
 * a new {@link RESULT_SCHEMA_VERSION}.
 */

/** The attachment type every task's record is filed under. */
export const RESULT_ATTACHMENT_TYPE = 'outerloop.result';

/** The version of the record's schema, in every record as `schemaVersion`. */
export const RESULT_SCHEMA_VERSION = 1;

/** Where in the run the step was (from the agent's variables; absent outside a pipeline). */
export interface StepPlace {
  stage?: string;
  job?: string;
  /** The step's display name (`Task.DisplayName`). */
  step?: string;
}

/** An image DockerBuildTag@1 built. */
export interface BuiltImage {
  repository: string;
  /** The engine's image id, `sha256:…`. */
  imageId: string;
  tags: string[];
  /** `repository:tag`, one per tag. */
  references: string[];
  version: string;
  builder: 'buildx' | 'classic';
  /** The OCI labels set on the image, by name. */
  labels: Record<string, string>;
}

/** An image PushDigest@1 pushed. */
export interface PushedImageRecord {
  /** `registry/path:tag` as pushed. */
  reference: string;
  repository: string;
  tag: string;
  /** `sha256:…`, the manifest digest the registry serves. */
  digest: string;
  /** True when the registry itself confirmed the digest. */
  verified: boolean;
}

/** One service of a ComposeTest@1 project when the app was ready. */
export interface ServiceRecord {
  name: string;
  /** Containers of the service. */
  containers: number;
  /** `running`, `exited`, … (the worst of its containers). */
  status: string;
}

/** Totals of the published test results (JUnit files are counted; other formats only listed). */
export interface TestTotals {
  format: string;
  files: number;
  /** Undefined when the files could not be counted. */
  total?: number;
  passed?: number;
  failed?: number;
  skipped?: number;
}

/** A workload rolled out by ComposeToK8s@1. */
export interface WorkloadRecord {
  /** `deployment/web`. */
  name: string;
  status: 'rolled out';
}

/** An image as it went into the manifests. */
export interface DeployedImage {
  service: string;
  /** The image in the manifests: `repo@sha256:…` when pinned. */
  image: string;
  pinned: boolean;
}

interface RecordBase {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  place: StepPlace;
}

/** DockerBuildTag@1's record. */
export interface DockerBuildTagRecord extends RecordBase {
  task: 'DockerBuildTag';
  image: BuiltImage;
}

/** ComposeTest@1's record: written whether the tests passed or failed. */
export interface ComposeTestRecord extends RecordBase {
  task: 'ComposeTest';
  project: string;
  outcome: 'passed' | 'failed';
  /** Why it failed, one sentence. */
  failure?: string;
  services: ServiceRecord[];
  /** From the start of the task until every service was ready. */
  readyAfterMs?: number;
  testDurationMs?: number;
  exitCode?: number;
  tests?: TestTotals;
  /** The artifact holding the containers' logs, when it was published. */
  logsArtifact?: string;
  /** The run's artifacts page, when the run's address is known. */
  logsUrl?: string;
}

/** PushDigest@1's record. */
export interface PushDigestRecord extends RecordBase {
  task: 'PushDigest';
  images: PushedImageRecord[];
  digestFile: string;
  lockedComposeFile?: string;
  artifact?: string;
}

/** ComposeToK8s@1's record. */
export interface ComposeToK8sRecord extends RecordBase {
  task: 'ComposeToK8s';
  action: 'render' | 'deploy';
  project: string;
  namespace: string;
  /** The API server, when a cluster was used. */
  cluster?: string;
  /** `kind/name` of every object applied (or rendered). */
  objects: string[];
  pruned: string[];
  workloads: WorkloadRecord[];
  images: DeployedImage[];
  manifestsFile: string;
}

/** ComposeDeploy@1's record: written whether the deploy succeeded, was rolled back or failed. */
export interface ComposeDeployRecord extends RecordBase {
  task: 'ComposeDeploy';
  action: 'deploy' | 'down';
  project: string;
  /** The engine: `tcp://host:2376`, `ssh://user@host`, or the agent's engine. */
  host: string;
  /** deployed; rolled back (the deploy failed, the previous images run again); failed; down. */
  outcome: 'deployed' | 'rolled back' | 'failed' | 'down';
  /** Why it failed, one sentence. */
  failure?: string;
  /** The images deployed (or, when it failed, that the deploy tried). */
  images: DeployedImage[];
  /** What the project's containers ran before, `service=image`. */
  previousImages: Array<{ service: string; image: string }>;
  /** The services at the end, with their container count and status. */
  services: ServiceRecord[];
}

/** Any task's record. */
export type ResultRecord = DockerBuildTagRecord | ComposeTestRecord | PushDigestRecord | ComposeToK8sRecord | ComposeDeployRecord;

/** The record as it is attached: sorted keys, two-space indent, one trailing newline. */
export function writeResultRecord(record: ResultRecord): string {
  return `${JSON.stringify(sortKeys(record), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}
