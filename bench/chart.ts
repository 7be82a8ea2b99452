// Benchmark: Helm chart generation against plain conversion, side by side on the generated
// 1,000-service compose file (bench/convert.ts): `manifests` converts and writes the manifests file
// (what `outerloop convert -o FILE` does), `chart` converts and writes the chart folder (what
// `outerloop convert --format helm -o DIR` does). Each run is a fresh process of the esbuild bundle,
// as shipped; the two alternate (manifests, chart, manifests, …) so that both see the same machine
// load. Median of RUNS. Goal: chart ≤ 1.2× manifests.
//
//   node -r ts-node/register/transpile-only bench/chart.ts        (RUNS=9 by default)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConvertChild, generateCompose, runConvertChild, type Sample } from './convert';
import { median } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 9);
const COUNT = 1000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-chart-'));
  try {
    const child = await buildConvertChild(dir);
    const file = join(dir, `compose-${COUNT}.yaml`);
    writeFileSync(file, generateCompose(COUNT));
    const samples: Record<'manifests' | 'chart', Sample[]> = { manifests: [], chart: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['manifests', 'chart'] as const) {
        const out = join(dir, `${mode}-${run}${mode === 'manifests' ? '.yaml' : ''}`);
        samples[mode].push(runConvertChild(child, [mode, file, out]));
        rmSync(out, { recursive: true, force: true });
      }
    }
    const m = (mode: 'manifests' | 'chart', key: 'ms' | 'cpuMs' | 'maxRssMb'): number => median(samples[mode].map((s) => s[key]));
    console.log(
      `node ${process.version}, ${COUNT.toLocaleString('en')} services (${samples.chart[0].objects} objects), ${RUNS} runs each alternated, median; time inside the process (startup excluded); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log('| what | convert + write manifests | convert + write chart | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| wall | ${m('manifests', 'ms').toFixed(0)} ms | ${m('chart', 'ms').toFixed(0)} ms | ${(m('chart', 'ms') / m('manifests', 'ms')).toFixed(2)}× |`,
    );
    console.log(
      `| CPU (user+system) | ${m('manifests', 'cpuMs').toFixed(0)} ms | ${m('chart', 'cpuMs').toFixed(0)} ms | ${(m('chart', 'cpuMs') / m('manifests', 'cpuMs')).toFixed(2)}× |`,
    );
    console.log(
      `| peak RSS | ${m('manifests', 'maxRssMb').toFixed(0)} MB | ${m('chart', 'maxRssMb').toFixed(0)} MB | ${(m('chart', 'maxRssMb') / m('manifests', 'maxRssMb')).toFixed(2)}× |`,
    );
    const ratio = m('chart', 'ms') / m('manifests', 'ms');
    console.log(`goal: chart ≤ 1.2× manifests (wall): ${ratio <= 1.2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
