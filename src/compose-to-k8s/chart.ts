import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../common/fs';
import type { DigestFile } from '../digests/digest-file';
import { buildChart, chartVersionOf, writeChartFolder } from '../k8s/chart/chart';
import { packageChart } from '../k8s/chart/package';
import { decorateObjects } from '../k8s/decorate';
import { splitSecrets } from '../k8s/secrets';
import type { RenderResult } from '../k8s/convert';
import type { PipelineOutput } from '../pipeline/interfaces';
import type { ChartInputs, ComposeToK8sInputs } from './inputs';
import { ANNOTATIONS } from '../digests/traceability';
import { traceabilityAnnotations } from './plan';

/**
 * ComposeToK8s@1's `action: chart`: the converted app as a Helm chart (and optionally its
 * deterministic .tgz), published as an artifact. The chart carries the traceability annotations
 * of the build, but not the image-digests one: the digests are values, which a release may change.
 * Like the manifests artifact, it never holds the Secrets made of compose secrets' contents.
 */

/** Where the chart folder goes: its own folder under the staging directory, published as the artifact. */
export function chartFolder(stagingDir: string, chart: ChartInputs, chartName: string): string {
  return join(stagingDir, 'outerloop-helm', chart.artifact ?? chartName, chartName);
}

/** Writes the chart of `rendered`; returns the success message. */
export async function writeChartArtifact(
  inputs: ComposeToK8sInputs,
  rendered: RenderResult,
  digests: DigestFile | undefined,
  output: PipelineOutput,
): Promise<string> {
  const chartInputs = inputs.chart ?? { package: false };
  const annotations = traceabilityAnnotations(inputs.pipeline, digests, rendered.images);
  delete annotations[ANNOTATIONS.images];
  const { secrets, others } = splitSecrets(rendered.objects);
  const objects = Object.keys(annotations).length > 0 ? decorateObjects(others, { annotations }) : others;
  const appVersion = digests?.pipeline.buildNumber ?? inputs.pipeline.buildNumber;
  const chart = buildChart(
    { objects, images: rendered.images, projectName: rendered.projectName },
    {
      ...(chartInputs.name ? { name: chartInputs.name } : {}),
      version: chartInputs.version ?? chartVersionOf(inputs.pipeline.buildNumber),
      ...(appVersion ? { appVersion } : {}),
    },
  );
  const dir = chartFolder(inputs.stagingDir, chartInputs, chart.name);
  await writeChartFolder(dir, chart.files, 'chartArtifact');
  output.setOutput('chartDirectory', dir);
  output.info(`Helm chart ${chart.name} ${chart.version} (${chart.files.length} files, project ${rendered.projectName}): ${dir}`);
  if (secrets.length > 0) {
    output.warning(
      `The chart leaves out Secret ${secrets.map((s) => s.metadata.name).join(', ')} (compose secrets' contents stay out of artifacts): create them in the release's namespace before installing it.`,
    );
  }
  let packaged = '';
  if (chartInputs.package) {
    const file = join(dirname(dir), chart.packageName);
    await writeFileAtomic(file, packageChart(chart.name, chart.files));
    output.setOutput('chartPackageFile', file);
    packaged = ` and ${chart.packageName}`;
  }
  if (chartInputs.artifact) output.uploadArtifact(chartInputs.artifact, dirname(dir));
  return `Wrote the Helm chart ${chart.name} ${chart.version}${packaged} into ${dirname(dir)}.`;
}
