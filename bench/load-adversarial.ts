// Benchmark: the loader on adversarial shapes (issue #14, item 5), `outerloop config` beside
// `docker compose config` on the same files, each in a fresh process, alternated, median of RUNS:
//   - a file included twice by each of DEPTH chained files (2^DEPTH loads without memoizing);
//   - a linear chain of 1,000 extends.
//
//   npm run build && node -r ts-node/register/transpile-only bench/load-adversarial.ts   (RUNS=5, DEPTH=12)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats';

const RUNS = Number(process.env['RUNS'] ?? 5);
const DEPTH = Number(process.env['DEPTH'] ?? 12);
const CLI = join(__dirname, '..', 'bin', 'outerloop.js');

function includeChain(dir: string): string {
  for (let i = 0; i <= DEPTH; i++) {
    const head = i === 0 ? 'services:\n  a:\n    image: x\n' : '';
    writeFileSync(join(dir, `f${i}.yaml`), i === DEPTH ? 'x-leaf: true\n' : `${head}include:\n  - f${i + 1}.yaml\n  - f${i + 1}.yaml\n`);
  }
  return 'f0.yaml';
}

function extendsChain(dir: string): string {
  let text = 'services:\n  s0:\n    image: x\n    environment: {A: "0"}\n';
  for (let i = 1; i < 1000; i++) text += `  s${i}:\n    extends: s${i - 1}\n    environment: {A: "${i}"}\n`;
  writeFileSync(join(dir, 'compose.yaml'), text);
  return 'compose.yaml';
}

function timed(command: string, args: string[], cwd: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

for (const [name, make] of [
  [`include chain, depth ${DEPTH}`, includeChain],
  ['1,000 chained extends', extendsChain],
] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-load-'));
  try {
    const file = make(dir);
    const ours: number[] = [];
    const compose: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      ours.push(timed(process.execPath, [CLI, 'config', '-f', file], dir));
      compose.push(timed('docker', ['compose', '-f', file, 'config', '-q'], dir));
    }
    const [a, b] = [median(ours), median(compose)];
    console.log(
      `${name}: outerloop config ${a.toFixed(0)} ms, docker compose config ${b.toFixed(0)} ms, ratio ${(a / b).toFixed(2)} (load average ${loadavg()[0].toFixed(1)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
