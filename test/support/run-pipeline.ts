import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RunOutputs } from '../../src/local-run/run-outputs';
import { PipelineEngine, type RunResult } from '../../src/local-run/engine';
import { SecretMasker } from '../../src/local-run/secret-masker';
import { parsePipeline } from '../../src/local-run/parse-pipeline';
import { predefinedVariables } from '../../src/local-run/predefined-variables';
import { ConsoleReporter } from '../../src/local-run/report';
import { TaskCatalog } from '../../src/local-run/task-catalog';
import { FIXTURES } from './paths';
import { testTempDir } from './temp';

/** The fixture tasks of test/fixtures/run-tasks (Probe@1, Probe@2). */
export const FIXTURE_TASKS = join(FIXTURES, 'run-tasks');

/** A pipeline run in a fresh sources folder, with everything it printed. */
export interface FixtureRun extends RunResult {
  out: string;
  sourcesDir: string;
  outputs: RunOutputs;
}

/** Runs pipeline text with the fixture tasks through the engine, as `outerloop run` wires it. */
export async function runPipelineText(
  yaml: string,
  options: {
    overrides?: Record<string, string>;
    secrets?: Record<string, string>;
    signal?: AbortSignal;
    onOutput?: (text: string) => void;
  } = {},
): Promise<FixtureRun> {
  const sourcesDir = await testTempDir('outerloop-run-');
  const work = join(sourcesDir, '.outerloop', 'work');
  const dirs = { tempDir: join(work, '_temp'), stagingDir: join(work, 'a'), binariesDir: join(work, 'b') };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  const masker = new SecretMasker();
  let out = '';
  const stream = {
    write: (t: string) => {
      out += t;
      options.onOutput?.(t);
    },
  };
  const outputs = new RunOutputs(join(sourcesDir, '.outerloop'), sourcesDir);
  const engine = new PipelineEngine(parsePipeline(yaml, 'azure-pipelines.yml'), {
    predefined: predefinedVariables({
      sourcesDir,
      workDir: work,
      ...dirs,
      buildId: 7,
      buildNumber: '',
      pipelineFile: 'azure-pipelines.yml',
      repositoryName: 'shop',
      os: 'Linux',
      arch: 'X64',
    }),
    overrides: options.overrides ?? {},
    secrets: options.secrets ?? {},
    endpoints: [],
    revision: 3,
    startedAt: new Date(2026, 10, 22, 3, 0, 0),
    catalog: await TaskCatalog.load([FIXTURE_TASKS]),
    outputs,
    reporter: new ConsoleReporter(stream, masker, { tty: false, colour: false }),
    masker,
    baseEnv: { PATH: process.env['PATH'] },
    signal: options.signal ?? new AbortController().signal,
    now: () => Date.now(),
  });
  const result = await engine.run();
  return { ...result, out, sourcesDir, outputs };
}

/** `label=result` for every step, in order. */
export function resultsOf(run: RunResult): string[] {
  return run.records.map((r) => `${r.view.label}=${r.result}`);
}
