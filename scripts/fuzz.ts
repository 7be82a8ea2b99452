import { closingLine, runFuzz } from './fuzz/harness';

// `npm run fuzz -- [--seed N] [--cases N] [--time-per-doc MS] [--out DIR]`: the compose fuzzer
// (scripts/fuzz/harness.ts). CI runs 5,000 cases with a fixed seed (test/integration/fuzz.test.ts);
// the nightly-size run is `npm run fuzz -- --cases 200000 --seed $(date +%Y%m%d) --out fuzz-failures`.

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

async function main(): Promise<void> {
  const seed = option('--seed', 20261129);
  const cases = option('--cases', 5000);
  const at = process.argv.indexOf('--out');
  const outDir = at < 0 ? undefined : process.argv[at + 1];
  const report = await runFuzz({
    seed,
    cases,
    timePerDocumentMs: option('--time-per-doc', 10_000),
    outDir,
    onProgress: (done) => {
      if (done % 1000 === 0) process.stderr.write(`fuzz: ${done} of ${cases}\n`);
    },
  });
  for (const f of report.failures.slice(0, 20))
    console.log(`${f.kind} in case ${f.id} (${f.file}): ${f.detail.split('\n').slice(0, 4).join(' | ')}`);
  console.log(closingLine(report, seed));
  process.exitCode = report.failures.length === 0 ? 0 : 1;
}

void main();
