#!/usr/bin/env node
// What `outerloop run` costs on top of the steps it runs: a pipeline of 5 task steps (the Probe
// fixture task) and 5 script steps, run with the built CLI, against the same 10 processes started
// by hand (node for the task, bash for the scripts) one after the other. Alternated, median of N.
//
//   npm run build && node bench/run-overhead.mjs [runs=7]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const tasks = join(root, 'test', 'fixtures', 'run-tasks');
const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-run-'));
const STEPS = 5;

const yaml = ['steps:'];
for (let i = 0; i < STEPS; i++) yaml.push(`- task: Probe@1\n  inputs: { outputs: "n${i}=${i}" }`, `- script: echo "step ${i} $(Build.BuildNumber)"`);
writeFileSync(join(dir, 'azure-pipelines.yml'), yaml.join('\n') + '\n');
const script = join(dir, 'step.sh');
writeFileSync(script, 'echo "step 1"\n');

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function viaOuterloop() {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'outerloop.js'), 'run', '--tasks', tasks], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`outerloop run failed:\n${r.stdout}\n${r.stderr}`);
}

function byHand() {
  for (let i = 0; i < STEPS; i++) {
    const env = { ...process.env, INPUT_OUTPUTS: `n${i}=${i}`, INPUT_MESSAGE: 'probe', INPUT_RESULT: 'Succeeded', INPUT_SLEEPSECONDS: '0', BUILD_BUILDNUMBER: '1', BUILD_ARTIFACTSTAGINGDIRECTORY: dir };
    if (spawnSync(process.execPath, [join(tasks, 'probe', 'index.js')], { cwd: dir, env }).status !== 0) throw new Error('probe failed');
    if (spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', script], { cwd: dir }).status !== 0) throw new Error('bash failed');
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
viaOuterloop();
byHand();
const a = [];
const b = [];
for (let i = 0; i < runs; i++) {
  a.push(time(viaOuterloop));
  b.push(time(byHand));
}
const [ma, mb] = [median(a), median(b)];
console.log(`outerloop run, ${STEPS * 2} steps: median ${ma.toFixed(0)} ms over ${runs} runs`);
console.log(`the same processes by hand:  median ${mb.toFixed(0)} ms`);
console.log(`ratio ${(ma / mb).toFixed(2)}, overhead ${((ma - mb) / (STEPS * 2)).toFixed(0)} ms per step (CLI start, git, parsing and the summary included)`);
