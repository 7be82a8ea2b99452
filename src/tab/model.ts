/**
 * What the Outer loop tab shows, from the run's result records (pure; no DOM, no SDK): the images
 * with their tags and digests, the test runs, the deployments.
 */
import {
  RESULT_SCHEMA_VERSION,
  type ComposeDeployRecord,
  type ComposeTestRecord,
  type ComposeToK8sRecord,
  type ResultRecord,
  type StepPlace,
} from '../summary/record';

/** One image of the run: a repository and a digest (or, built but not pushed, an image id). */
export interface ImageRow {
  repository: string;
  tags: string[];
  /** The manifest digest the registry serves, once pushed. */
  digest?: string;
  verified?: boolean;
  /** The engine's image id, when this run built it. */
  imageId?: string;
}

/** One ComposeTest step. */
export interface TestRow {
  place: StepPlace;
  record: ComposeTestRecord;
}

/** One ComposeToK8s step: manifests rendered, or applied to a cluster. */
export interface DeploymentRow {
  place: StepPlace;
  record: ComposeToK8sRecord;
}

/** One ComposeDeploy step: a compose project deployed to (or taken down on) a Docker host. */
export interface HostDeploymentRow {
  place: StepPlace;
  record: ComposeDeployRecord;
}

/** The tab's content. */
export interface TabView {
  images: ImageRow[];
  tests: TestRow[];
  deployments: DeploymentRow[];
  hostDeployments: HostDeploymentRow[];
  /** Records of a newer schema, or not records at all: counted, not shown. */
  unreadable: number;
}

/** Parses one attachment's text; undefined when it is not a record this tab understands. */
export function parseRecord(text: string): ResultRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<ResultRecord>;
  if (record.schemaVersion !== RESULT_SCHEMA_VERSION) return undefined;
  if (!['DockerBuildTag', 'ComposeTest', 'PushDigest', 'ComposeToK8s', 'ComposeDeploy'].includes(String(record.task))) return undefined;
  return { ...record, place: record.place ?? {} } as ResultRecord;
}

/** The view of a run's records, in the order the steps attached them. */
export function buildTabView(texts: readonly string[]): TabView {
  const view: TabView = { images: [], tests: [], deployments: [], hostDeployments: [], unreadable: 0 };
  const pushed = new Map<string, ImageRow>();
  const built: ImageRow[] = [];
  for (const text of texts) {
    const record = parseRecord(text);
    if (!record) {
      view.unreadable++;
      continue;
    }
    switch (record.task) {
      case 'DockerBuildTag':
        built.push({ repository: record.image.repository, tags: [...record.image.tags], imageId: record.image.imageId });
        break;
      case 'PushDigest':
        for (const image of record.images) {
          const key = `${image.repository}@${image.digest}`;
          const row = pushed.get(key) ?? { repository: image.repository, tags: [], digest: image.digest, verified: image.verified };
          if (!row.tags.includes(image.tag)) row.tags.push(image.tag);
          row.verified = (row.verified ?? true) && image.verified;
          pushed.set(key, row);
        }
        break;
      case 'ComposeTest':
        view.tests.push({ place: record.place, record });
        break;
      case 'ComposeToK8s':
        view.deployments.push({ place: record.place, record });
        break;
      case 'ComposeDeploy':
        view.hostDeployments.push({ place: record.place, record });
        break;
    }
  }
  // A built image that was pushed shows once, with its digest; one built but not pushed keeps its image id.
  const pushedRows = [...pushed.values()];
  for (const row of built) {
    const match = pushedRows.find((p) => p.repository === row.repository && row.tags.some((t) => p.tags.includes(t)));
    if (match) match.imageId = row.imageId;
    else pushedRows.push(row);
  }
  view.images = pushedRows;
  return view;
}

/** True when the view has nothing to show. */
export function isEmptyView(view: TabView): boolean {
  return view.images.length === 0 && view.tests.length === 0 && view.deployments.length === 0 && view.hostDeployments.length === 0;
}

/**
 * The timeline and record ids in an attachment's address
 * (`…/_apis/build/builds/{buildId}/{timelineId}/{recordId}/attachments/{type}/{name}`), which the
 * Build REST client's getAttachment needs; undefined when the address has another shape.
 */
export function parseAttachmentAddress(href: string): { timelineId: string; recordId: string } | undefined {
  const match = /\/_apis\/build\/builds\/\d+\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/attachments\//i.exec(href);
  return match ? { timelineId: match[1], recordId: match[2] } : undefined;
}

/**
 * `url` when it is an http(s) address, else undefined: a record is any step's attachment, and a
 * link it carries must not run script (`javascript:`) in the tab.
 */
export function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** `Build › Image › Build the API`, leaving out what is unknown. */
export function describePlace(place: StepPlace): string {
  return [place.stage, place.job, place.step].filter((p): p is string => Boolean(p)).join(' › ');
}
