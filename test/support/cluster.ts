import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { readInfraEnv } from './testbed';

const execFileAsync = promisify(execFile);

/** The test bed's Kubernetes control plane (scripts/cluster.sh): a real API server with kwok's fake nodes. */
export interface TestCluster {
  /** Admin kubeconfig (system:masters). */
  kubeconfig: string;
  /** Kubeconfig of the ServiceAccount whose Role is ComposeToK8s@1's least privilege in {@link limitedNamespace}. */
  limitedKubeconfig: string;
  limitedNamespace: string;
  /** The API server's address, `https://127.0.0.1:16443`. */
  server: string;
  /** The folder with the kubectl of the server's own release: first on the tasks' PATH. */
  kubectlDir: string;
  /** The kube-apiserver's pid file, for the tests that stop it. */
  apiserverPidFile: string;
  /** The environment a task runs in: kubectl of the cluster's release first on PATH. */
  taskEnv: NodeJS.ProcessEnv;
}

let cached: TestCluster | null | undefined;

/** The control plane, or undefined when it is not up (or its API server does not answer). */
export function findTestCluster(): TestCluster | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const vars = readInfraEnv();
  const kubeconfig = vars?.['OUTERLOOP_TEST_KUBECONFIG'];
  if (!vars || !kubeconfig || !existsSync(kubeconfig)) return undefined;
  const kubectlDir = vars['OUTERLOOP_TEST_KUBECTL_DIR'];
  try {
    execFileSync(join(kubectlDir, 'kubectl'), ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { stdio: 'pipe', timeout: 20000 });
  } catch {
    return undefined;
  }
  const doc = load(readFileSync(kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
  cached = {
    kubeconfig,
    limitedKubeconfig: vars['OUTERLOOP_TEST_KUBECONFIG_LIMITED'],
    limitedNamespace: vars['OUTERLOOP_TEST_KUBE_NAMESPACE_LIMITED'],
    server: doc.clusters[0].cluster.server,
    kubectlDir,
    apiserverPidFile: vars['OUTERLOOP_TEST_KUBE_APISERVER_PID_FILE'],
    taskEnv: { ...process.env, PATH: `${kubectlDir}${delimiter}${process.env['PATH'] ?? ''}` },
  };
  return cached;
}

/**
 * For a `before` hook: the control plane, or a skip when it is down on a developer's machine. In
 * CI (CI=true) an absent control plane is a failure, never a skip.
 */
export function requireTestCluster(context: Mocha.Context): TestCluster {
  const cluster = findTestCluster();
  if (cluster) return cluster;
  if (process.env['CI'] === 'true') {
    throw new Error(
      `The test bed's Kubernetes control plane is not running (CI=true, so this fails instead of skipping): run 'scripts/test-infra.sh up'.`,
    );
  }
  context.skip();
}

/** Runs the cluster's own kubectl as admin (or with `kubeconfig`); returns stdout. */
export async function kubectl(
  cluster: TestCluster,
  args: readonly string[],
  options: { kubeconfig?: string; stdin?: string } = {},
): Promise<string> {
  const file = join(cluster.kubectlDir, 'kubectl');
  const argv = ['--kubeconfig', options.kubeconfig ?? cluster.kubeconfig, ...args];
  if (options.stdin === undefined) {
    const { stdout } = await execFileAsync(file, argv, { encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }
  return execFileSync(file, argv, { encoding: 'utf8', input: options.stdin, timeout: 120000, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A Kubernetes object (a kubernetes-types shape) as a test reads it back from the API server or a
 * manifest: every field present, so a test reads `d.spec.template.spec` without a `!` at each step.
 * A field that is in fact missing fails the assertion that reads it.
 */
export type Served<T> = T extends ReadonlyArray<infer U> ? Array<Served<U>> : T extends object ? { [K in keyof T]-?: Served<T[K]> } : T;

/** `kubectl get … -o json`, parsed as `T` (say `Served<Deployment>`). */
export async function getJson<T>(cluster: TestCluster, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, ['get', ...args, '--output=json'])) as T;
}

/** A namespace name of its own for one test: `outerloop-it-<tag>-<random>`. */
export function uniqueNamespace(tag: string): string {
  return `outerloop-it-${tag}-${randomBytes(3).toString('hex')}`;
}

/** Deletes namespaces without waiting for their objects to go. */
export async function deleteNamespaces(cluster: TestCluster, namespaces: readonly string[]): Promise<void> {
  if (namespaces.length === 0) return;
  await kubectl(cluster, ['delete', 'namespace', ...namespaces, '--ignore-not-found', '--wait=false']).catch(() => undefined);
}
