// Side by side: the converter at an earlier git revision against the working tree, on one
// generated 1,000-service compose file, runs interleaved (before, after, before, …) so that both
// see the same machine load. Each run is a fresh process of the esbuild bundle, as shipped.
//
//   node -r ts-node/register/transpile-only bench/convert-compare.ts REV   (RUNS=7 by default)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { generateCompose } from './convert';
import { median } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 7);
const ROOT = join(__dirname, '..');

interface Sample {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
}

async function bundle(sourceRoot: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(sourceRoot, 'bench', 'convert-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    outfile,
    logLevel: 'warning',
  });
}

async function main(): Promise<void> {
  const rev = process.argv[2];
  if (!rev) throw new Error('usage: convert-compare.ts REV');
  const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-compare-'));
  try {
    const old = join(dir, 'old');
    mkdirSync(old);
    const archive = execFileSync('git', ['-C', ROOT, 'archive', rev, 'src', 'bench'], { maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', old], { input: archive });
    symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'));
    await bundle(old, join(dir, 'before.js'));
    await bundle(ROOT, join(dir, 'after.js'));
    const file = join(dir, 'compose-1000.yaml');
    writeFileSync(file, generateCompose(1000));
    const samples: Record<'before' | 'after', Sample[]> = { before: [], after: [] };
    const loadStart = loadavg()[0];
    for (let run = 0; run < RUNS; run++) {
      for (const which of ['before', 'after'] as const) {
        samples[which].push(
          JSON.parse(execFileSync(process.execPath, [join(dir, `${which}.js`), 'convert', file], { encoding: 'utf8' })) as Sample,
        );
      }
    }
    console.log(
      `node ${process.version}, 1,000 services, ${RUNS} interleaved runs each, median; load average ${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
    );
    console.log('| converter | wall | CPU (user+system) | peak RSS |');
    console.log('|---|---|---|---|');
    for (const which of ['before', 'after'] as const) {
      const s = samples[which];
      console.log(
        `| ${which === 'before' ? rev : 'working tree'} | ${median(s.map((x) => x.ms)).toFixed(0)} ms | ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms | ${median(s.map((x) => x.maxRssMb)).toFixed(0)} MB |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
