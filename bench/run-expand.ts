// What reading a pipeline costs `outerloop run` before the first step starts: compile-time
// expansion (templates, parameters, ${{ }}) and the model, in process, for the example pipelines,
// against the raw tool side by side: js-yaml's load() of the same files (the pipeline and every
// template it includes), which is all the runner did before templates existed. Median of N rounds
// of 50 parses each, alternated.
//
//   node -r ts-node/register/transpile-only bench/run-expand.ts [--rounds 15]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import { parsePipeline } from '../src/local-run/parse-pipeline';
import { median, numberOption } from './stats';

const root = join(__dirname, '..');
const rounds = numberOption('rounds', 15);
const PER_ROUND = 50;
const cases: Array<{ name: string; file: string; includes: string[] }> = [
  { name: 'examples/azure-pipelines.yml (flat, 6 steps)', file: 'examples/azure-pipelines.yml', includes: [] },
  {
    name: 'examples/outer-loop.yml (3 stages, 3 template uses, 11 steps)',
    file: 'examples/outer-loop.yml',
    includes: ['examples/templates/build-image.yml', 'examples/templates/build-image.yml', 'examples/templates/compose-to-k8s.yml'],
  },
];

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / PER_ROUND;
}

for (const c of cases) {
  const path = join(root, c.file);
  const text = readFileSync(path, 'utf8');
  const options = { path, repositoryRoot: root, hasProgram: () => true };
  const ours = (): void => void parsePipeline(text, c.file, options);
  const raw = (): void => {
    for (const file of [c.file, ...c.includes]) load(readFileSync(join(root, file), 'utf8'), { schema: FAILSAFE_SCHEMA });
  };
  ours();
  raw();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(time(ours));
    b.push(time(raw));
  }
  const [ma, mb] = [median(a), median(b)];
  console.log(
    `${c.name}: expand and read ${ma.toFixed(2)} ms, js-yaml load ${mb.toFixed(2)} ms, ratio ${(ma / mb).toFixed(2)} (${rounds} rounds of ${PER_ROUND})`,
  );
}
