/**
 * ComposeTest@1 against a hand-written script (bench/compose-test-manual.sh) on the same app
 * (test/fixtures/compose-test-app), alternated in one run; and how soon ComposeTest notices that
 * the app is ready. Needs the test bed and a packaged .vsix (`npm run package`).
 *
 *   node -r ts-node/register/transpile-only bench/compose-test.ts [runs=7]
 *
 * Readiness latency: the moment ComposeTest logs "All services are ready", minus the moment the
 * last service became ready by the engine's own clock (the end of the web container's first passing
 * health check, or the worker's start, whichever is later), read with docker inspect at that moment.
 * It is measured on the whole app (worker waits for web through depends_on, so `up` returns late)
 * and on web alone (nothing waits for it: ComposeTest's own wait notices the health change).
 *
 * Both sides use the Compose the task finds (src/docker/tools.ts's detectCompose: v2 when the
 * plugin answers, else v1); `scripts/without-plugins.sh` in front of the command measures Compose v1.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NodeProcessRunner } from '../src/process/runner';
import { detectCompose } from '../src/docker/tools';
import { agentVariables, startVsixTask } from '../test/support/task-harness';
import { findTestBed } from '../test/support/testbed';
import { FIXTURES, ROOT } from '../test/support/paths';
import { median } from './stats';

const APP = join(FIXTURES, 'compose-test-app');
const STARTUP_DELAY = '1';
const runs = Number(process.argv[2] ?? 7);
const bed = findTestBed();
if (!bed) throw new Error("The test bed is not running: run 'scripts/test-infra.sh up'.");
const env = bed.env;

/** When the project's last service became ready, by the engine's clock (ms since the epoch). */
async function readyMoment(project: string): Promise<number> {
  const { stdout: ids } = await promisify(execFile)('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`], {
    env,
  });
  const { stdout } = await promisify(execFile)('docker', ['inspect', ...ids.split('\n').filter(Boolean)], { env });
  const moments = (
    JSON.parse(stdout) as Array<{ State: { StartedAt: string; Health?: { Log: Array<{ End: string; ExitCode: number }> } } }>
  ).map((c) => (c.State.Health ? Date.parse(c.State.Health.Log.find((l) => l.ExitCode === 0)?.End ?? 'x') : Date.parse(c.State.StartedAt)));
  return Math.max(...moments);
}

async function runTask(project: string, resultsDir: string, services = ''): Promise<{ ms: number; latencyMs: number }> {
  const start = Date.now();
  let probe: Promise<number> | undefined;
  let noticed = 0;
  const variables = await agentVariables();
  const started = await startVsixTask('compose-test', {
    inputs: {
      composeFiles: 'docker-compose.yml',
      workingDirectory: APP,
      projectName: project,
      services,
      environment: `STARTUP_DELAY=${STARTUP_DELAY}\nRESULTS_DIR=${resultsDir}`,
      testCommand: 'node tests/smoke.js',
      testResultsFiles: `${resultsDir}/*.xml`,
      logsArtifact: '',
    },
    variables,
    baseEnv: { ...process.env, DOCKER_HOST: bed!.dockerHost },
    onLine: (line) => {
      if (!probe && line.startsWith('All services are ready')) {
        noticed = Date.now();
        probe = readyMoment(project);
      }
    },
  });
  const run = await started.done;
  await rm(variables['Agent.WorkFolder'], { recursive: true, force: true });
  if (run.result !== 'Succeeded' || !probe) throw new Error(`ComposeTest failed:\n${run.output}`);
  return { ms: Date.now() - start, latencyMs: noticed - (await probe) };
}

function runManual(compose: string[], project: string, resultsDir: string): number {
  const start = Date.now();
  execFileSync(join(ROOT, 'bench', 'compose-test-manual.sh'), [APP, project, ...compose], {
    env: { ...env, STARTUP_DELAY, RESULTS_DIR: resultsDir },
    stdio: 'ignore',
  });
  return Date.now() - start;
}

async function main(): Promise<void> {
  // The Compose the task runs (v2 when the plugin answers, else v1): the manual side runs the same.
  const found = await detectCompose(new NodeProcessRunner({ write: () => undefined }), env);
  if (!found) throw new Error('Neither docker compose nor docker-compose was found.');
  const compose = [found.file, ...found.args];
  const version = execFileSync(compose[0], [...compose.slice(1), 'version', '--short'], { env, encoding: 'utf8' }).trim();
  const resultsDir = await mkdtemp(join(tmpdir(), 'outerloop-bench-ct-'));
  // Keeps the fixture's layers cached between runs, so each run builds from cache, as both sides would.
  const anchor = `ctbench-cache-${randomBytes(3).toString('hex')}`;
  execFileSync(compose[0], [...compose.slice(1), '-p', anchor, 'build', '-q'], { cwd: APP, env, stdio: 'ignore' });
  const task: number[] = [];
  const manual: number[] = [];
  const latency: number[] = [];
  const latencyWebOnly: number[] = [];
  const projects: string[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const p = (side: string): string => {
        const name = `ctbench-${side}-${randomBytes(3).toString('hex')}`;
        projects.push(name);
        return name;
      };
      // Alternate which side goes first, so drift on the shared machine does not favour one.
      const order = i % 2 === 0 ? ['task', 'manual'] : ['manual', 'task'];
      for (const side of order) {
        if (side === 'task') {
          const r = await runTask(p('t'), resultsDir);
          task.push(r.ms);
          latency.push(r.latencyMs);
        } else {
          manual.push(runManual(compose, p('m'), resultsDir));
        }
      }
      latencyWebOnly.push((await runTask(p('w'), resultsDir, 'web')).latencyMs);
      process.stdout.write(
        `run ${i + 1}/${runs}: ComposeTest ${task[i]} ms, manual ${manual[i]} ms, readiness noticed +${latency[i]} ms (web only +${latencyWebOnly[i]} ms)\n`,
      );
    }
  } finally {
    // Compose v1 names a project's images PROJECT_SERVICE, v2 PROJECT-SERVICE.
    const images = [anchor, ...projects].flatMap((p) => ['web', 'worker'].map((s) => `${p}${found.version === 1 ? '_' : '-'}${s}`));
    execFileSync('sh', ['-c', `docker image rm ${images.join(' ')} >/dev/null 2>&1 || true`], { env });
    await rm(resultsDir, { recursive: true, force: true });
  }
  const ratio = median(task) / median(manual);
  console.log(
    `\nComposeTest@1 vs hand-written script, ${runs} alternated runs, both on Compose v${found.version} (${version}), STARTUP_DELAY=${STARTUP_DELAY}s, healthcheck interval 1s:`,
  );
  const paired = median(task.map((t, i) => t / manual[i]));
  console.log(`  median ComposeTest ${median(task)} ms, median manual ${median(manual)} ms, ratio ${ratio.toFixed(3)} (goal <= 1.10)`);
  console.log(
    `  median of the per-pair ratios ${paired.toFixed(3)}; load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `  readiness noticed after the last service became ready: median ${median(latency)} ms, max ${Math.max(...latency)} ms (whole app)`,
  );
  console.log(
    `  readiness noticed after web turned healthy (web alone): median ${median(latencyWebOnly)} ms, max ${Math.max(...latencyWebOnly)} ms (goal <= 500 ms)`,
  );
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
