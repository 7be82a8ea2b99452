#!/usr/bin/env node
// What `outerloop run` costs on top of the steps it runs: a pipeline of 5 task steps (the Probe
// fixture task) and 5 script steps, run with the built CLI, against the same 10 processes started
// by hand (node for the task, bash for the scripts) one after the other. The same 10 steps are run
// twice through outerloop: as a flat steps: list, and as teams write them (runtime parameters,
// ${{ each }} over a step template, two stages, a deployment job with runOnce, an output variable
// read across stages), so the cost of expansion and of the stage/deployment machinery shows.
// Alternated, median of N.
//
//   npm run build && node bench/run-overhead.mjs [runs=7] [another bin/outerloop.js to compare, e.g. a build of main]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const baseline = process.argv[3];
const tasks = join(root, 'test', 'fixtures', 'run-tasks');
const dir = mkdtempSync(join(tmpdir(), 'outerloop-bench-run-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const STEPS = 5;

const yaml = ['steps:'];
for (let i = 0; i < STEPS; i++)
  yaml.push(`- task: Probe@1\n  inputs: { outputs: "n${i}=${i}" }`, `- script: echo "step ${i} $(Build.BuildNumber)"`);
writeFileSync(join(dir, 'azure-pipelines.yml'), yaml.join('\n') + '\n');
writeFileSync(
  join(dir, 'step.yml'),
  `parameters:
- name: i
  type: number
steps:
- task: Probe@1
  name: probe\${{ parameters.i }}
  inputs: { outputs: "n\${{ parameters.i }}=\${{ parameters.i }}" }
- script: echo "step \${{ parameters.i }} $(Build.BuildNumber)"
`,
);
writeFileSync(
  join(dir, 'templated.yml'),
  `parameters:
- name: ci
  type: object
  default: [0, 1, 2]
- name: release
  type: object
  default: [3, 4]
stages:
- stage: CI
  jobs:
  - job: Build
    steps:
    - \${{ each i in parameters.ci }}:
      - template: step.yml
        parameters:
          i: \${{ i }}
- stage: Release
  jobs:
  - deployment: Deploy
    environment: bench
    variables:
      n0: $[ stageDependencies.CI.Build.outputs['probe0.n0'] ]
    strategy:
      runOnce:
        deploy:
          steps:
          - download: none
          - \${{ each i in parameters.release }}:
            - template: step.yml
              parameters:
                i: \${{ i }}
`,
);
const script = join(dir, 'step.sh');
writeFileSync(script, 'echo "step 1"\n');

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function viaOuterloop(file = 'azure-pipelines.yml', cli = join(root, 'bin', 'outerloop.js')) {
  const r = spawnSync(process.execPath, [cli, 'run', file, '--tasks', tasks], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0) throw new Error(`outerloop run failed:\n${r.stdout}\n${r.stderr}`);
  if (!/Result: Succeeded .*\(10 succeeded\)/.test(r.stdout)) throw new Error(`outerloop run did not run the 10 steps:\n${r.stdout}`);
}

function byHand() {
  for (let i = 0; i < STEPS; i++) {
    const env = {
      ...process.env,
      INPUT_OUTPUTS: `n${i}=${i}`,
      INPUT_MESSAGE: 'probe',
      INPUT_RESULT: 'Succeeded',
      INPUT_SLEEPSECONDS: '0',
      BUILD_BUILDNUMBER: '1',
      BUILD_ARTIFACTSTAGINGDIRECTORY: dir,
    };
    if (spawnSync(process.execPath, [join(tasks, 'probe', 'index.js')], { cwd: dir, env }).status !== 0) throw new Error('probe failed');
    if (spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', script], { cwd: dir }).status !== 0)
      throw new Error('bash failed');
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
viaOuterloop();
viaOuterloop('templated.yml');
byHand();
if (baseline) viaOuterloop('azure-pipelines.yml', baseline);
const a = [];
const t = [];
const b = [];
const base = [];
for (let i = 0; i < runs; i++) {
  a.push(time(() => viaOuterloop()));
  t.push(time(() => viaOuterloop('templated.yml')));
  if (baseline) base.push(time(() => viaOuterloop('azure-pipelines.yml', baseline)));
  b.push(time(byHand));
}
const [ma, mt, mb] = [median(a), median(t), median(b)];
const perStep = (m) => ((m - mb) / (STEPS * 2)).toFixed(0);
console.log(
  `outerloop run, ${STEPS * 2} steps, flat:      median ${ma.toFixed(0)} ms over ${runs} runs; ratio ${(ma / mb).toFixed(2)}, overhead ${perStep(ma)} ms per step`,
);
console.log(
  `outerloop run, ${STEPS * 2} steps, templated: median ${mt.toFixed(0)} ms; ratio ${(mt / mb).toFixed(2)}, overhead ${perStep(mt)} ms per step`,
);
if (baseline)
  console.log(
    `${baseline}, flat: median ${median(base).toFixed(0)} ms; ratio ${(median(base) / mb).toFixed(2)}, overhead ${perStep(median(base))} ms per step`,
  );
console.log(`the same processes by hand:        median ${mb.toFixed(0)} ms`);
console.log('(CLI start, git, expansion, parsing and the summary included)');
