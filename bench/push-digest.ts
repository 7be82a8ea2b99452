/**
 * PushDigest@1 (the whole task, run from the unpacked .vsix as the agent runs it) against the raw
 * tool: a bare `docker push` of the same tags followed by `docker inspect`. Each round builds fresh
 * images (a random layer of --mb MiB each, so every push really uploads), then runs both sides in
 * alternating order against the open test registry. Prints the medians and their ratio.
 * With --compose the task is also given a compose file naming each image as a service, so it
 * loads the project and writes the locked compose file (the bare side has no counterpart).
 *
 *   npm run package && node -r ts-node/register/transpile-only bench/push-digest.ts [--rounds 7] [--images 2] [--mb 16] [--compose]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NodeProcessRunner } from '../src/process/runner';
import { agentVariables, describeRun, runVsixTask } from '../test/support/task-harness';
import { findTestBed } from '../test/support/testbed';
import { inAlternatingOrder, median, numberOption as option } from './stats';

const rounds = option('rounds', 7);
const imagesPerSide = option('images', 2);
const mb = option('mb', 16);
const withCompose = process.argv.includes('--compose');
const runner = new NodeProcessRunner({ write: () => undefined });

async function main(): Promise<void> {
  const bed = findTestBed();
  if (!bed) throw new Error("The test bed is not running: run 'scripts/test-infra.sh up'.");
  const env = bed.env;
  const docker = async (args: string[], stdin?: string): Promise<string> => {
    const r = await runner.exec('docker', args, { env, quiet: true, noEcho: true, stdin });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const id = randomBytes(3).toString('hex');
  const created: string[] = [];
  /** Fresh images with a random layer each, tagged for one side of one round. */
  const build = async (side: string, round: number): Promise<string[]> => {
    const refs: string[] = [];
    for (let i = 0; i < imagesPerSide; i++) {
      const ref = `${bed.registry}/outerloop-bench-${id}/${side}-${i}:r${round}`;
      const dockerfile = `FROM ${bed.baseImage}\nRUN head -c ${mb * 1024 * 1024} /dev/urandom > /blob-${randomBytes(4).toString('hex')}\n`;
      await docker(['build', '-q', '-t', ref, '-'], dockerfile);
      refs.push(ref);
      created.push(ref);
    }
    return refs;
  };
  const task: number[] = [];
  const bare: number[] = [];
  const work = await mkdtemp(join(tmpdir(), 'outerloop-bench-pd-'));
  try {
    for (let round = 0; round < rounds; round++) {
      const taskRefs = await build('task', round);
      const bareRefs = await build('bare', round);
      const runTask = async (): Promise<void> => {
        const variables = await agentVariables();
        const inputs: Record<string, string> = { images: taskRefs.join('\n') };
        if (withCompose) {
          const services = taskRefs.map((ref, i) => `  s${i}:\n    image: ${ref}\n`).join('');
          await writeFile(join(work, 'docker-compose.yml'), `services:\n${services}`);
          Object.assign(inputs, {
            composeFiles: join(work, 'docker-compose.yml'),
            lockedComposeFile: join(work, `docker-compose.locked-${round}.yml`),
          });
        }
        const start = performance.now();
        const run = await runVsixTask('push-digest', { variables, baseEnv: env, inputs });
        const elapsed = performance.now() - start;
        await rm(variables['Agent.WorkFolder'], { recursive: true, force: true });
        if (run.result !== 'Succeeded') throw new Error(describeRun(run));
        if (withCompose && !run.output.includes('pinned by digest')) throw new Error(`No locked compose file:\n${describeRun(run)}`);
        task.push(elapsed);
      };
      const runBare = async (): Promise<void> => {
        const start = performance.now();
        for (const ref of bareRefs) await docker(['push', ref]);
        await docker(['inspect', ...bareRefs]);
        bare.push(performance.now() - start);
      };
      await inAlternatingOrder(round, runTask, runBare);
      process.stderr.write(
        `round ${round + 1}/${rounds}: PushDigest ${task[round].toFixed(0)} ms, docker push + inspect ${bare[round].toFixed(0)} ms\n`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    if (created.length > 0) await runner.exec('docker', ['rmi', ...created], { env, quiet: true, noEcho: true });
  }
  const t = median(task);
  const b = median(bare);
  console.log(
    `PushDigest@1: ${rounds} rounds, ${imagesPerSide} images of ${mb} MiB each per side${withCompose ? ', the task locking a compose file' : ''}`,
  );
  console.log(
    `median PushDigest ${t.toFixed(0)} ms, median docker push + docker inspect ${b.toFixed(0)} ms, ratio ${(t / b).toFixed(2)} (goal <= 1.10)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
