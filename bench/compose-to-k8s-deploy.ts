/**
 * ComposeToK8s@1 (the whole task from the unpacked .vsix, as the agent runs it) deploying the
 * example app to Ready on the test bed's control plane, against the same by hand: `kubectl create
 * namespace`, `kubectl apply --server-side` of the manifests the task rendered, then `kubectl
 * rollout status` of each Deployment. Each round deploys both sides to fresh namespaces, in
 * alternating order. Prints the medians and their ratio.
 *
 *   npm run package && node -r ts-node/register/transpile-only bench/compose-to-k8s-deploy.ts [--rounds 9]
 */
import { randomBytes } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatDigestFile } from '../src/digests/digest-file';
import { NodeProcessRunner } from '../src/process/runner';
import { findTestCluster } from '../test/support/cluster';
import { EXAMPLES } from '../test/support/paths';
import { agentVariables, describeRun, runVsixTask } from '../test/support/task-harness';
import { inAlternatingOrder, median, numberOption as option } from './stats';

const rounds = option('rounds', 9);
const runner = new NodeProcessRunner({ write: () => undefined });
const REPO = '127.0.0.1:5000/outerloop-demo';

async function main(): Promise<void> {
  const cluster = findTestCluster();
  if (!cluster) throw new Error("The test bed's control plane is not running: run 'scripts/test-infra.sh up'.");
  const kubectl = async (args: string[]): Promise<void> => {
    const r = await runner.exec(join(cluster.kubectlDir, 'kubectl'), ['--kubeconfig', cluster.kubeconfig, ...args], {
      quiet: true,
      noEcho: true,
    });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  };
  const id = randomBytes(3).toString('hex');
  const namespaces: string[] = [];
  const variables = await agentVariables();
  const sources = variables['Build.SourcesDirectory'];
  await cp(EXAMPLES, sources, { recursive: true });
  const images = ['web', 'worker'].map((name) => ({
    reference: `${REPO}/${name}:bench`,
    repository: `${REPO}/${name}`,
    tag: 'bench',
    digest: `sha256:${randomBytes(32).toString('hex')}`,
  }));
  await writeFile(join(sources, 'image-digests.json'), formatDigestFile({ version: 1, images, pipeline: { buildNumber: 'bench' } }));
  const inputs = {
    composeFiles: 'docker-compose.yml',
    environment: 'TAG=bench',
    digestFile: 'image-digests.json',
    kubeconfig: cluster.kubeconfig,
    createNamespace: 'true',
    rolloutTimeout: '120',
  };

  // The manifests the by-hand side applies: exactly what the task renders.
  const render = await runVsixTask('compose-to-k8s', {
    variables,
    cwd: sources,
    baseEnv: cluster.taskEnv,
    inputs: { ...inputs, action: 'render', kubeconfig: '', namespace: 'bench' },
  });
  if (render.result !== 'Succeeded') throw new Error(describeRun(render));
  const manifests = join(sources, 'bench-manifests.yaml');
  await writeFile(manifests, (await readFile(render.outputs['manifestsFile'], 'utf8')).replace(/^ {2}namespace: bench$/gm, ''));

  const task: number[] = [];
  const bare: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const runTask = async (): Promise<void> => {
        const namespace = `outerloop-bench-${id}-task-${round}`;
        namespaces.push(namespace);
        const start = performance.now();
        const run = await runVsixTask('compose-to-k8s', {
          variables,
          cwd: sources,
          baseEnv: cluster.taskEnv,
          inputs: { ...inputs, namespace },
        });
        const elapsed = performance.now() - start;
        if (run.result !== 'Succeeded') throw new Error(describeRun(run));
        task.push(elapsed);
      };
      const runBare = async (): Promise<void> => {
        const namespace = `outerloop-bench-${id}-bare-${round}`;
        namespaces.push(namespace);
        const start = performance.now();
        await kubectl(['create', 'namespace', namespace]);
        await kubectl(['apply', '--server-side', '--field-manager=bench', '--namespace', namespace, '--filename', manifests]);
        for (const name of ['web', 'worker'])
          await kubectl(['rollout', 'status', `deployment/${name}`, '--namespace', namespace, '--timeout=120s']);
        bare.push(performance.now() - start);
      };
      await inAlternatingOrder(round, runTask, runBare);
      process.stderr.write(
        `round ${round + 1}/${rounds}: ComposeToK8s ${task[round].toFixed(0)} ms, by hand ${bare[round].toFixed(0)} ms\n`,
      );
    }
  } finally {
    if (namespaces.length > 0) await kubectl(['delete', 'namespace', ...namespaces, '--wait=false']).catch(() => undefined);
    await rm(variables['Agent.WorkFolder'], { recursive: true, force: true });
  }
  const t = median(task);
  const b = median(bare);
  console.log(`ComposeToK8s@1 deploy of the example app to Ready: ${rounds} rounds, fresh namespaces`);
  console.log(
    `median ComposeToK8s ${t.toFixed(0)} ms, median kubectl create namespace + apply --server-side + rollout status ${b.toFixed(0)} ms, ratio ${(t / b).toFixed(2)} (goal <= 1.10)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
