// One measured run, in its own process so that its peak RSS is its own:
//   node convert-child.js convert|floor FILE  → prints {"ms": …, "cpuMs": …, "maxRssMb": …, "objects": …}
//   node convert-child.js manifests|chart FILE OUT  → the same, writing the manifests file (or the chart folder) to OUT
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { dump, load } from 'js-yaml';
import { buildChart, writeChartFolder } from '../src/k8s/chart/chart';
import { renderComposeProject } from '../src/k8s/convert';

async function main(): Promise<void> {
  const [mode, file, out] = process.argv.slice(2);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let objects = 0;
  if (mode === 'convert') {
    const result = await renderComposeProject({ source: { files: [file], workingDir: dirname(file), environment: { TAG: '1.0' } } });
    objects = result.objects.length;
    if (result.yaml.length === 0) throw new Error('no output');
  } else if (mode === 'manifests' || mode === 'chart') {
    const result = await renderComposeProject({ source: { files: [file], workingDir: dirname(file), environment: { TAG: '1.0' } } });
    objects = result.objects.length;
    if (mode === 'manifests') await writeFile(out, result.yaml);
    else await writeChartFolder(out, buildChart(result).files);
  } else {
    const text = dump(load(readFileSync(file, 'utf8')));
    if (text.length === 0) throw new Error('no output');
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  process.stdout.write(
    JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, objects }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
