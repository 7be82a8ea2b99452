// Benchmark: convert a generated N-service compose file (1,000 and 10,000 services) with the
// converter, beside the floor (a plain js-yaml parse + dump of the same file), each run in a fresh
// process (bundled with esbuild, as shipped), median of RUNS. Goal: ≤ 1 s and ≤ 256 MB peak RSS at
// 1,000 services, and linear growth (10× the services ≤ 11× the time).
//
//   npm run bench:convert            (RUNS=5 by default; RUNS=7 npm run bench:convert)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 5);

/** A compose file with `count` services that use most converted keys. */
export function generateCompose(count: number): string {
  const lines = ['name: bench', 'x-common: &common', '  restart: always', '  labels:', '    com.example.team: bench', 'services:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  svc-${i}:`,
      '    <<: *common',
      `    image: registry.example.com/bench/svc-${i}:\${TAG}`,
      `    command: ["serve", "--port", "8080", "--name", "svc-${i}"]`,
      `    ports: ["${10000 + (i % 50000)}:8080"]`,
      '    environment:',
      `      SERVICE_NAME: svc-${i}`,
      '      LOG_LEVEL: info',
      `      UPSTREAM: http://svc-${i === 0 ? 0 : i - 1}:${10000 + ((i === 0 ? 0 : i - 1) % 50000)}`,
      `    volumes: ["data-${i % 100}:/data", "/cache"]`,
      '    tmpfs: ["/run:size=16m"]',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "wget -q -O - http://localhost:8080/health || exit 1"]',
      '      interval: 10s',
      '      start_period: 30s',
      '    deploy:',
      '      replicas: 2',
      '      resources:',
      '        limits: {cpus: "0.5", memory: 256M}',
    );
    if (i > 0) lines.push('    depends_on:', `      svc-${i - 1}:`, '        condition: service_healthy');
  }
  lines.push('volumes:');
  for (let v = 0; v < Math.min(100, count); v++) lines.push(`  data-${v}: {}`);
  return lines.join('\n') + '\n';
}

/** What one run of bench/convert-child.ts reports, measured inside its process. */
export interface Sample {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  objects: number;
}

/** Bundles bench/convert-child.ts with esbuild, as the product is shipped; returns the bundle's path in `dir`. */
export async function buildConvertChild(dir: string): Promise<string> {
  const child = join(dir, 'convert-child.js');
  await build({
    entryPoints: [join(__dirname, 'convert-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    outfile: child,
    logLevel: 'warning',
  });
  return child;
}

/** One run of the bundled child in a fresh process: `args` are its mode and files. */
export function runConvertChild(child: string, args: readonly string[]): Sample {
  return JSON.parse(execFileSync(process.execPath, [child, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Sample;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-convert-'));
  try {
    const child = await buildConvertChild(dir);
    const results: Record<string, { ms: number; cpu: number; rss: number; objects: number; bytes: number }> = {};
    for (const count of [1000, 10000]) {
      const file = join(dir, `compose-${count}.yaml`);
      const text = generateCompose(count);
      writeFileSync(file, text);
      for (const mode of ['floor', 'convert']) {
        const samples: Sample[] = [];
        for (let run = 0; run < RUNS; run++) {
          samples.push(runConvertChild(child, [mode, file]));
        }
        results[`${mode}@${count}`] = {
          ms: median(samples.map((s) => s.ms)),
          cpu: median(samples.map((s) => s.cpuMs)),
          rss: median(samples.map((s) => s.maxRssMb)),
          objects: samples[0].objects,
          bytes: text.length,
        };
      }
    }
    console.log(
      `node ${process.version}, ${RUNS} runs each, median; wall and CPU (user+system) time measured inside the process (startup excluded), peak RSS of the whole process; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      '| services | file | js-yaml parse + dump (floor) | convert | ratio | CPU floor / convert | peak RSS floor / convert | objects |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const count of [1000, 10000]) {
      const f = results[`floor@${count}`];
      const c = results[`convert@${count}`];
      console.log(
        `| ${count.toLocaleString('en')} | ${(f.bytes / 1024).toFixed(0)} KiB | ${f.ms.toFixed(0)} ms | ${c.ms.toFixed(0)} ms | ${(c.ms / f.ms).toFixed(1)}× | ${f.cpu.toFixed(0)} / ${c.cpu.toFixed(0)} ms | ${f.rss.toFixed(0)} / ${c.rss.toFixed(0)} MB | ${c.objects} |`,
      );
    }
    const growth = results['convert@10000'].ms / results['convert@1000'].ms;
    console.log(`growth 1,000 → 10,000 services: ${growth.toFixed(2)}× the time (goal ≤ 11×)`);
    const one = results['convert@1000'];
    console.log(
      `goal at 1,000 services: ≤ 1000 ms and ≤ 256 MB: ${one.ms <= 1000 && one.rss <= 256 ? 'met' : 'NOT met'} (${one.ms.toFixed(0)} ms, ${one.rss.toFixed(0)} MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
