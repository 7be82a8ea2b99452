import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads manifest files the way kubectl does, without a cluster: `kubectl label --local -o json`
 * decodes with kubectl's own YAML reader (sigs.k8s.io/yaml over goyaml v2, as `kubectl apply`
 * does), and prints JSON, which comes back here as plain objects.
 */

const PROBE_LABEL = 'outerloop-probe';

function kubectl(args: string[], cwd: string): string {
  // An empty kubeconfig: nothing here may reach a cluster or read the user's configuration.
  const kubeconfig = join(cwd, 'kubeconfig');
  writeFileSync(kubeconfig, '');
  const result = spawnSync('kubectl', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, KUBECONFIG: kubeconfig } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 2000)}`);
  return result.stdout;
}

function withoutProbeLabel(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = object.metadata as { labels?: Record<string, string> };
  if (metadata?.labels) {
    delete metadata.labels[PROBE_LABEL];
    if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
  }
  return object;
}

/** Every object in the YAML files of `dir`, as kubectl apply's reader sees them (one kubectl run). */
export function readWithKubectl(dir: string, files: string[]): Array<Record<string, unknown>> {
  const out = kubectl(['label', '--local', '-o', 'json', ...files.flatMap((f) => ['-f', f]), `${PROBE_LABEL}=1`], dir).trim();
  if (out === '') return [];
  // kubectl prints one JSON object per input object, back to back: each starts `{` and ends `}` at column 0.
  const objects = JSON.parse(`[${out.replace(/\n}\n{/g, '\n},{')}]`) as Array<Record<string, unknown>>;
  return objects.map(withoutProbeLabel);
}
