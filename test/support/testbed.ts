import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Which toolchain a run of the tests exercises: `modern` is Compose v2 and buildx (the plugins the
 * test bed installs), `legacy` is Compose v1 and the classic builder (scripts/run-tests.mjs hides the
 * plugins). Detected from what docker answers, never assumed.
 */
export type Toolchain = 'modern' | 'legacy';

/** The running test bed (scripts/test-infra.sh up): a Docker engine and two registries. */
export interface TestBed {
  dockerHost: string;
  /** Open registry, `127.0.0.1:5000`. */
  registry: string;
  /** htpasswd registry, `127.0.0.1:5001`. */
  authRegistry: string;
  authUser: string;
  authPassword: string;
  /** The busybox image built FROM scratch, for test Dockerfiles' FROM lines. */
  baseImage: string;
  /** The environment for docker commands and tasks against the test bed: its engine, its CLI first on PATH. */
  env: NodeJS.ProcessEnv;
  /** The toolchain this run finds: buildx and `docker compose` both present, or neither. */
  toolchain: Toolchain;
  /** The folder of the test bed's buildx and Compose v2 plugins (to install them elsewhere in a test). */
  pluginDir: string;
  /** The engine's `--tlsverify` listener and the client certificates' folder (DOCKER_CERT_PATH), when it has one. */
  tls?: { host: string; certPath: string };
}

const STATE_DIR = process.env['OUTERLOOP_INFRA_DIR'] ?? '/tmp/outerloop-test-infra';
let cached: TestBed | null | undefined;

/** The exports `scripts/test-infra.sh up` wrote (the env file in its state folder), or undefined when it is not up. */
export function readInfraEnv(): Record<string, string> | undefined {
  const file = join(STATE_DIR, 'env');
  if (!existsSync(file)) return undefined;
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m && m[1] !== 'PATH') vars[m[1]] = m[2];
  }
  return vars;
}

/** The test bed, or undefined when it is not up (or its engine does not answer). */
export function findTestBed(): TestBed | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const vars = readInfraEnv();
  if (!vars) return undefined;
  const cliDir = vars['OUTERLOOP_TEST_DOCKER_CLI_DIR'];
  const path = cliDir ? `${cliDir}${delimiter}${process.env['PATH'] ?? ''}` : process.env['PATH'];
  const env = { ...process.env, DOCKER_HOST: vars['DOCKER_HOST'], PATH: path };
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, stdio: 'pipe', timeout: 20000 });
  } catch {
    return undefined;
  }
  const answers = (args: string[]): boolean => {
    try {
      execFileSync('docker', args, { env, stdio: 'pipe', timeout: 20000 });
      return true;
    } catch {
      return false;
    }
  };
  const modern = answers(['buildx', 'version']) && answers(['compose', 'version']);
  cached = {
    dockerHost: vars['DOCKER_HOST'],
    registry: vars['OUTERLOOP_TEST_REGISTRY'],
    authRegistry: vars['OUTERLOOP_TEST_AUTH_REGISTRY'],
    authUser: vars['OUTERLOOP_TEST_AUTH_USER'],
    authPassword: readFileSync(vars['OUTERLOOP_TEST_AUTH_PASSWORD_FILE'], 'utf8').trim(),
    baseImage: vars['OUTERLOOP_TEST_BASE_IMAGE'],
    env,
    toolchain: modern ? 'modern' : 'legacy',
    pluginDir: vars['OUTERLOOP_TEST_DOCKER_PLUGIN_DIR'] ?? '',
    tls: vars['OUTERLOOP_TEST_DOCKER_TLS_HOST']
      ? { host: vars['OUTERLOOP_TEST_DOCKER_TLS_HOST'], certPath: vars['OUTERLOOP_TEST_DOCKER_CERT_PATH'] }
      : undefined,
  };
  return cached;
}

/**
 * For a `before` hook: the test bed, or a skip when it is down on a developer's machine. In CI
 * (CI=true) an absent test bed is a failure, never a skip.
 */
export function requireTestBed(context: Mocha.Context): TestBed {
  const bed = findTestBed();
  if (bed) return bed;
  if (process.env['CI'] === 'true') {
    throw new Error(`The test bed is not running (CI=true, so this fails instead of skipping): run 'scripts/test-infra.sh up'.`);
  }
  context.skip();
}
