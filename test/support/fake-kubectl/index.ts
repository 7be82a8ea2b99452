import { existsSync, readFileSync } from 'node:fs';

/** The folder holding the `kubectl` stand-in: put it first on PATH. */
export const FAKE_KUBECTL_DIR = __dirname;

/** How the stand-in answers (see the header of ./kubectl). */
export type FakeKubectlScenario = 'success' | 'apply-rejected' | 'rollout-timeout' | 'unreachable' | 'hang' | 'unresponsive';

/** One recorded kubectl call. */
export interface KubectlCall {
  argv: string[];
  stdin: string;
  kubeconfig?: { path: string; exists: boolean; mode?: string; hasToken?: boolean };
}

/** Options for {@link fakeKubectlEnv}. */
export interface FakeKubectlOptions {
  scenario?: FakeKubectlScenario;
  /** Where the calls are recorded. */
  log: string;
  /** The token the kubeconfig must hold (checked, never recorded). */
  expectToken?: string;
  /** Objects of the app the cluster already holds, for prune. */
  existing?: Array<{ kind: string; apiVersion: string; name: string }>;
  /** `deployment/api,…`: the workloads whose rollout times out (default: all). */
  failing?: string[];
}

/** An environment whose PATH starts with the stand-in, configured for one scenario. */
export function fakeKubectlEnv(options: FakeKubectlOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${FAKE_KUBECTL_DIR}:${base['PATH'] ?? ''}`,
    FAKE_KUBECTL_LOG: options.log,
    FAKE_KUBECTL_SCENARIO: options.scenario ?? 'success',
    FAKE_KUBECTL_EXPECT_TOKEN: options.expectToken ?? '',
    FAKE_KUBECTL_EXISTING: JSON.stringify(options.existing ?? []),
    FAKE_KUBECTL_FAILING: (options.failing ?? []).join(','),
  };
}

/** The calls the stand-in recorded, in order. */
export function readKubectlLog(log: string): KubectlCall[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KubectlCall);
}

/** A call's command without the global flags (kubeconfig, context, request timeout): `rollout status deployment/api --namespace qa …`. */
export function commandOf(call: KubectlCall): string {
  const args: string[] = [];
  for (let i = 0; i < call.argv.length; i++) {
    if (call.argv[i] === '--kubeconfig' || call.argv[i] === '--context') i++;
    else if (!call.argv[i].startsWith('--request-timeout=')) args.push(call.argv[i]);
  }
  return args.join(' ');
}

