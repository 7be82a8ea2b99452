import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../common/errors';
import { writeFileAtomic } from '../../common/fs';
import { buildChart, digestValuesYaml, writeChartFolder } from '../../k8s/chart/chart';
import { packageChart } from '../../k8s/chart/package';
import type { RenderResult } from '../../k8s/convert';
import type { CliIo } from '../io';

/** `outerloop convert --format helm`: the converted project as a Helm chart, or (--values-only) a values file of its digests. */

/** The options only the helm format takes. */
export const HELM_OPTIONS = {
  'chart-name': { type: 'string' },
  'chart-version': { type: 'string' },
  'app-version': { type: 'string' },
  package: { type: 'boolean' },
  'values-only': { type: 'boolean' },
} as const;

/** Their usage lines. */
export const HELM_OPTIONS_USAGE = [
  '      --format F          manifests (default) or helm: a Helm 3 chart in the folder -o names',
  "      --chart-name NAME   the chart's name (default: the project name)",
  "      --chart-version V   the chart's SemVer version (default 0.1.0)",
  "      --app-version V     the chart's appVersion (default: the chart version)",
  '      --package           also write <name>-<version>.tgz (deterministic) beside the chart folder',
  "      --values-only       write only a values file of the pinned images' digests (-o FILE, else stdout),",
  '                          for `helm upgrade -f` on a chart generated before',
];

/** The option names that make no sense without --format helm. */
export const HELM_ONLY = Object.keys(HELM_OPTIONS);

/** Checks the helm format's options before anything is converted. */
export function checkHelmOptions(values: Record<string, unknown>): void {
  if (values['output-dir'] !== undefined) throw new InputError('--output-dir', 'is for manifests: give the chart folder with -o.');
  if (values['values-only'] === true && values['package'] === true)
    throw new InputError('--package', 'and --values-only cannot be used together.');
  if (values['values-only'] !== true && values['output'] === undefined)
    throw new InputError('--output', 'is required with --format helm: the folder to write the chart to.');
}

/** Writes the chart (or the digest values file) of a conversion; returns the exit code. */
export async function writeHelmOutput(
  values: Record<string, unknown>,
  result: Pick<RenderResult, 'objects' | 'images' | 'projectName'>,
  io: CliIo,
): Promise<number> {
  const output = values['output'] as string | undefined;
  if (values['values-only'] === true) {
    const yaml = digestValuesYaml(result);
    if (output === undefined) io.stdout.write(yaml);
    else {
      await writeFileAtomic(resolve(io.cwd, output), yaml);
      io.stderr.write(`wrote the digests of ${result.images.filter((i) => i.pinned).length} pinned images to ${resolve(io.cwd, output)}\n`);
    }
    return 0;
  }
  if (output === undefined) throw new InputError('--output', 'is required with --format helm.');
  const chart = buildChart(result, {
    ...(typeof values['chart-name'] === 'string' ? { name: values['chart-name'] } : {}),
    ...(typeof values['chart-version'] === 'string' ? { version: values['chart-version'] } : {}),
    ...(typeof values['app-version'] === 'string' ? { appVersion: values['app-version'] } : {}),
    inputs: { name: '--chart-name', version: '--chart-version' },
  });
  const dir = resolve(io.cwd, output);
  await writeChartFolder(dir, chart.files, '--output');
  io.stderr.write(`wrote the chart ${chart.name} ${chart.version} (${chart.files.length} files) to ${dir}\n`);
  if (values['package'] === true) {
    const file = join(dirname(dir), chart.packageName);
    await writeFileAtomic(file, packageChart(chart.name, chart.files));
    io.stderr.write(`wrote the package ${file}\n`);
  }
  return 0;
}
