import { neutralizeLoggingCommands } from '../process/neutralize';
import type {
  ComposeDeployRecord,
  ComposeTestRecord,
  ComposeToK8sRecord,
  DockerBuildTagRecord,
  PushDigestRecord,
  ResultRecord,
  ServiceRecord,
  TestTotals,
} from './record';

/**
 * The Markdown summary of a task's record, shown in the run's Extensions tab (and printed as plain
 * text by `outerloop run`). Every value that may come from the user's files is escaped: no value can
 * open a link, a table cell, a heading or an HTML tag, nor pass for a logging command.
 */
export function writeSummaryMarkdown(record: ResultRecord): string {
  const body = sectionOf(record);
  return neutralizeLoggingCommands(`${[`### ${summaryTitle(record)}`, '', ...body].join('\n').trimEnd()}\n`);
}

/** The summary's heading, also its file name: `DockerBuildTag: shop/api`. */
export function summaryTitle(record: ResultRecord): string {
  switch (record.task) {
    case 'DockerBuildTag':
      return `DockerBuildTag: ${escapeMarkdown(record.image.repository)}`;
    case 'ComposeTest':
      return `ComposeTest: ${escapeMarkdown(record.project)} ${record.outcome}`;
    case 'PushDigest':
      return `PushDigest: ${record.images.length} image${record.images.length === 1 ? '' : 's'}`;
    case 'ComposeToK8s':
      return `ComposeToK8s: ${escapeMarkdown(record.project)} ${record.action === 'deploy' ? 'deployed to' : 'rendered for'} ${escapeMarkdown(record.namespace)}`;
    case 'ComposeDeploy':
      return `ComposeDeploy: ${escapeMarkdown(record.project)} ${record.outcome} on ${escapeMarkdown(record.host)}`;
  }
}

/** What can start emphasis, code, a link, an HTML tag or entity, or end a table cell, anywhere in a line. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&#]/g;

/** `text` as literal Markdown text on one line: specials backslash-escaped, line breaks as spaces. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

/** A Markdown table; cells are escaped here. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers.map(escapeMarkdown)), line(headers.map(() => '---')), ...rows.map((r) => line(r.map(escapeMarkdown)))];
}

function sectionOf(record: ResultRecord): string[] {
  switch (record.task) {
    case 'DockerBuildTag':
      return dockerBuildTagSection(record);
    case 'ComposeTest':
      return composeTestSection(record);
    case 'PushDigest':
      return pushDigestSection(record);
    case 'ComposeToK8s':
      return composeToK8sSection(record);
    case 'ComposeDeploy':
      return composeDeploySection(record);
  }
}

function dockerBuildTagSection({ image }: DockerBuildTagRecord): string[] {
  const builder = image.builder === 'buildx' ? 'BuildKit (docker buildx)' : 'the classic builder';
  const labels = Object.entries(image.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `Image ${escapeMarkdown(image.imageId)}, version ${escapeMarkdown(image.version)}, built with ${builder}.`,
    '',
    ...markdownTable(
      ['Tag', 'Reference'],
      image.tags.map((t, i) => [t, image.references[i] ?? '']),
    ),
    ...(labels.length > 0 ? ['', ...markdownTable(['Label', 'Value'], labels)] : []),
  ];
}

function composeTestSection(record: ComposeTestRecord): string[] {
  const facts = [
    record.readyAfterMs !== undefined ? `ready after ${seconds(record.readyAfterMs)}` : undefined,
    record.testDurationMs !== undefined ? `tests took ${seconds(record.testDurationMs)}` : undefined,
    record.exitCode !== undefined ? `exit code ${record.exitCode}` : undefined,
  ].filter((f): f is string => f !== undefined);
  const lines = [
    `Project ${escapeMarkdown(record.project)}: the tests ${record.outcome}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}.`,
  ];
  if (record.failure) lines.push('', escapeMarkdown(record.failure));
  if (record.tests) lines.push('', describeTotals(record.tests));
  lines.push(...servicesTable(record.services));
  if (record.logsArtifact) {
    const name = escapeMarkdown(record.logsArtifact);
    lines.push('', record.logsUrl ? `Logs: artifact [${name}](${encodeUrl(record.logsUrl)}).` : `Logs: artifact ${name}.`);
  }
  return lines;
}

/** `Tests: 12 passed, 1 failed, 2 skipped (15 in 1 JUnit file).` */
export function describeTotals(totals: TestTotals): string {
  const files = `${totals.files} ${escapeMarkdown(totals.format)} file${totals.files === 1 ? '' : 's'}`;
  if (totals.total === undefined) return `Tests: ${files} published.`;
  return `Tests: ${totals.passed ?? 0} passed, ${totals.failed ?? 0} failed, ${totals.skipped ?? 0} skipped (${totals.total} in ${files}).`;
}

function pushDigestSection(record: PushDigestRecord): string[] {
  const verified = record.images.every((i) => i.verified);
  return [
    ...markdownTable(
      ['Reference', 'Digest', 'Verified'],
      record.images.map((i) => [i.reference, i.digest, i.verified ? 'yes' : 'no']),
    ),
    '',
    `Digests ${verified ? 'confirmed by the registry' : 'taken from the engine'}, recorded in ${escapeMarkdown(record.digestFile)}${record.artifact ? ` (artifact ${escapeMarkdown(record.artifact)})` : ''}.`,
  ];
}

function composeToK8sSection(record: ComposeToK8sRecord): string[] {
  const where = record.cluster ? ` on ${escapeMarkdown(record.cluster)}` : '';
  const lines = [
    record.action === 'deploy'
      ? `Namespace ${escapeMarkdown(record.namespace)}${where}: ${record.objects.length} objects applied, ${record.pruned.length} pruned, ${record.workloads.length} workloads rolled out.`
      : `Namespace ${escapeMarkdown(record.namespace)}: ${record.objects.length} objects rendered into ${escapeMarkdown(record.manifestsFile)}.`,
  ];
  if (record.images.length > 0) {
    lines.push(
      '',
      ...markdownTable(
        ['Service', 'Image', 'Pinned'],
        record.images.map((i) => [i.service, i.image, i.pinned ? 'yes' : 'no']),
      ),
    );
  }
  if (record.workloads.length > 0)
    lines.push(
      '',
      ...markdownTable(
        ['Workload', 'Rollout'],
        record.workloads.map((w) => [w.name, w.status]),
      ),
    );
  lines.push('', `Objects: ${record.objects.map(escapeMarkdown).join(', ')}.`);
  if (record.pruned.length > 0) lines.push('', `Pruned: ${record.pruned.map(escapeMarkdown).join(', ')}.`);
  return lines;
}

function composeDeploySection(record: ComposeDeployRecord): string[] {
  const lines = [
    record.action === 'down'
      ? `Project ${escapeMarkdown(record.project)} on ${escapeMarkdown(record.host)}: taken down (its volumes are kept).`
      : `Project ${escapeMarkdown(record.project)} on ${escapeMarkdown(record.host)}: ${record.outcome}.`,
  ];
  if (record.failure) lines.push('', escapeMarkdown(record.failure));
  if (record.images.length > 0) {
    const before = new Map(record.previousImages.map((p) => [p.service, p.image]));
    lines.push(
      '',
      ...markdownTable(
        ['Service', 'Image', 'Pinned', 'Before'],
        record.images.map((i) => [i.service, i.image, i.pinned ? 'yes' : 'no', before.get(i.service) ?? '—']),
      ),
    );
  }
  lines.push(...servicesTable(record.services));
  return lines;
}

/** The services and their containers' state, as a table after a blank line (nothing when there are none). */
function servicesTable(services: readonly ServiceRecord[]): string[] {
  if (services.length === 0) return [];
  return [
    '',
    ...markdownTable(
      ['Service', 'Containers', 'Status'],
      services.map((s) => [s.name, String(s.containers), s.status]),
    ),
  ];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A link target that cannot close the link early. */
function encodeUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => encodeURIComponent(c));
}
