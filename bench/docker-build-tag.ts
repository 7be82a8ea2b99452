/**
 * DockerBuildTag@1's whole-task wall time (run from the unpacked .vsix, as the agent runs it)
 * against the bare build of the same context by the same builder, all with a warm cache, alternated
 * in one run: `docker buildx build --load` on the modern toolchain, the classic `docker build` on
 * the legacy one; and the same on an empty context (the task's fixed cost).
 *
 *   npm run package && node -r ts-node/register/transpile-only bench/docker-build-tag.ts [--runs 7] [--files 2048] [--kib 8]
 *   scripts/without-plugins.sh node -r ts-node/register/transpile-only bench/docker-build-tag.ts   # the legacy toolchain
 *
 * Needs the test bed (scripts/test-infra.sh up). Prints one Markdown table row per variant.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { startTask } from '../src/local-run/agent/task-process';
import { readDockerBuildTagInputs } from '../src/docker-build-tag/inputs';
import { planLabels } from '../src/docker-build-tag/labels';
import { planTags } from '../src/docker-build-tag/tags';
import { InputReader } from '../src/pipeline/inputs';
import { agentVariables } from '../test/support/task-harness';
import { findTestBed, type TestBed } from '../test/support/testbed';
import { vsixTaskDir } from '../test/support/vsix';
import { median, numberOption as option } from './stats';

const RUNS = option('runs', 7);
const FILES = option('files', 2048);
const KIB = option('kib', 8);

/** Runs a command to its end and returns its wall time in ms; fails on a non-zero exit. */
function timeCommand(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`${file} ${args.join(' ')}: exit ${code}\n${err}`)),
    );
  });
}

/**
 * A service-sized source tree: FILES files of KIB KiB each under src/, and a Dockerfile that copies
 * them; with `dockerignore`, also a .dockerignore (as most real projects have) that does not exclude
 * itself, which makes the classic builder's labels go in a second one-step build.
 */
async function makeContext(dir: string, bed: TestBed, dockerignore = false): Promise<void> {
  if (dockerignore) await writeFile(join(dir, '.dockerignore'), '.git\n*.md\n');
  await mkdir(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, 'src', `m${i % 40}`);
    if (i < 40) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.txt`), randomBytes(KIB * 512).toString('hex'));
  }
  await writeFile(
    join(dir, 'Dockerfile'),
    [
      `FROM ${bed.baseImage}`,
      'ARG CONFIGURATION=Release',
      'WORKDIR /app',
      'COPY src/ ./src/',
      'RUN find src -type f | wc -l > /app/files.txt && echo "$CONFIGURATION" > /app/configuration.txt',
      'ENTRYPOINT ["cat", "/app/files.txt"]',
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const bed = findTestBed();
  if (!bed) throw new Error("The test bed is not running: run 'scripts/test-infra.sh up'.");
  const suffix = randomBytes(4).toString('hex');
  const repository = `outerloop-bench/build-tag-${suffix}`;
  const variables = await agentVariables();
  const context = variables['Build.SourcesDirectory'];
  await makeContext(context, bed);
  const ignoreVariables = await agentVariables();
  const ignoreContext = ignoreVariables['Build.SourcesDirectory'];
  await makeContext(ignoreContext, bed, true);
  const emptyVariables = await agentVariables();
  const emptyContext = emptyVariables['Build.SourcesDirectory'];
  await writeFile(join(emptyContext, 'Dockerfile'), `FROM ${bed.baseImage}\nWORKDIR /app\n`);
  const taskDir = await vsixTaskDir('docker-build-tag');
  const modern = bed.toolchain === 'modern';
  // The classic builder as the task runs it: DOCKER_BUILDKIT=0, so docker does not refuse or warn differently.
  const env = modern ? bed.env : { ...bed.env, DOCKER_BUILDKIT: '0' };
  const builder = modern ? ['buildx', 'build', '--load'] : ['build'];

  // A tag of its own per context, so that no bare build moves another one's tag.
  const bare =
    (dir = context, tag = 'bare') =>
    (): Promise<number> =>
      timeCommand('docker', [...builder, '--build-arg', 'CONFIGURATION=Release', '-t', `${repository}:${tag}`, dir], env);
  const task =
    (inputs: Record<string, string>, vars = variables) =>
    async (): Promise<number> => {
      const start = process.hrtime.bigint();
      const run = await (
        await startTask({ taskDir, variables: vars, inputs: { repository, buildArgs: 'CONFIGURATION=Release', ...inputs }, baseEnv: env })
      ).done;
      if (run.result !== 'Succeeded') throw new Error(`the task failed: ${run.message}\n${run.output}`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
  // The same image by hand: the task's tags and labels as plain -t and --label flags.
  const { inputs, facts } = readDockerBuildTagInputs(
    new InputReader({
      input: (n) => (({ repository, tags: variables['Build.BuildNumber'] }) as Record<string, string>)[n],
      variable: (n) => variables[n],
      endpoint: () => undefined,
    }),
  );
  const byHand = (): Promise<number> => {
    const { tags, version } = planTags(inputs, facts);
    const labels = planLabels(inputs, facts, { version, created: new Date().toISOString() });
    return timeCommand(
      'docker',
      [
        ...builder,
        '--build-arg',
        'CONFIGURATION=Release',
        ...tags.flatMap((t) => ['-t', `${repository}:${t}`]),
        ...labels.flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        context,
      ],
      env,
    );
  };
  const bareName = `bare \`docker ${builder.join(' ')} -t\``;
  // Each variant's ratio is against the bare build of its own context (the index in the third column).
  const variants: Array<[string, () => Promise<number>, number]> = [
    [bareName, bare(), 0],
    [`${bareName} with the same tags and labels as \`-t\`/\`--label\` flags`, byHand, 0],
    ['DockerBuildTag@1, defaults (auto tags, OCI + pipeline labels)', task({}), 0],
    ['DockerBuildTag@1, addPipelineLabels: false', task({ addPipelineLabels: 'false' }), 0],
    [`${bareName}, the context with a .dockerignore`, bare(ignoreContext, 'bare-ignore'), 4],
    ['DockerBuildTag@1, defaults, the context with a .dockerignore', task({}, ignoreVariables), 4],
    [`${bareName}, empty context`, bare(emptyContext, 'bare-empty'), 6],
    ['DockerBuildTag@1, defaults, empty context', task({}, emptyVariables), 6],
  ];
  try {
    for (const [, measure] of variants) await measure(); // warm the cache and the file system
    const loadBefore = loadavg();
    const times = variants.map(() => [] as number[]);
    // BuildKit keeps one synced copy of a build context: a build after another context's sends its
    // context again (+0.6 s for 16 MiB here), which the classic builder does every time anyway. So
    // each round takes one context at a time, after an unmeasured build of it (a warm agent builds
    // one context over and over), and rotates the order within it so that no variant always runs first.
    const groups = [...new Set(variants.map(([, , b]) => b))];
    for (let r = 0; r < RUNS; r++) {
      for (const g of groups) {
        const members = variants.map((_, v) => v).filter((v) => variants[v][2] === g);
        await variants[g][1]();
        for (let k = 0; k < members.length; k++) {
          const v = members[(k + r) % members.length];
          times[v].push(await variants[v][1]());
        }
      }
    }
    console.log(
      `load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `${bed.toolchain} toolchain; context: ${FILES} files of ${KIB} KiB (${((FILES * KIB) / 1024).toFixed(1)} MiB), ${RUNS} runs each, alternated; medians:`,
    );
    // The fastest run is the least disturbed by other work on a shared machine: shown beside the median.
    console.log('| variant | median ms | median ratio | fastest ms | fastest ratio | all runs (ms) |');
    console.log('|---|---|---|---|---|---|');
    variants.forEach(([name, , b], v) => {
      const m = median(times[v]);
      const f = Math.min(...times[v]);
      const ratios = `${(m / median(times[b])).toFixed(3)} | ${f.toFixed(0)} | ${(f / Math.min(...times[b])).toFixed(3)}`;
      console.log(`| ${name} | ${m.toFixed(0)} | ${ratios} | ${times[v].map((t) => t.toFixed(0)).join(', ')} |`);
    });
    const fixed = median(times[7]) - median(times[6]);
    console.log(`fixed cost on the empty context: ${fixed.toFixed(0)} ms over the bare build (median against median)`);
  } finally {
    const refs = await new Promise<string>((resolve) => {
      const child = spawn('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository], { env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
    const all = refs.split('\n').filter(Boolean);
    if (all.length > 0) await timeCommand('docker', ['image', 'rm', '--force', ...all], env).catch(() => 0);
    await rm(join(context, '..'), { recursive: true, force: true });
    await rm(join(ignoreContext, '..'), { recursive: true, force: true });
    await rm(join(emptyContext, '..'), { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
