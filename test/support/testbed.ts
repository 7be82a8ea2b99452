import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
  /** The environment for docker commands against the test bed. */
  env: NodeJS.ProcessEnv;
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
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** The test bed, or undefined when it is not up (or its engine does not answer). */
export function findTestBed(): TestBed | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const vars = readInfraEnv();
  if (!vars) return undefined;
  const env = { ...process.env, DOCKER_HOST: vars['DOCKER_HOST'] };
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, stdio: 'pipe', timeout: 20000 });
  } catch {
    return undefined;
  }
  cached = {
    dockerHost: vars['DOCKER_HOST'],
    registry: vars['OUTERLOOP_TEST_REGISTRY'],
    authRegistry: vars['OUTERLOOP_TEST_AUTH_REGISTRY'],
    authUser: vars['OUTERLOOP_TEST_AUTH_USER'],
    authPassword: readFileSync(vars['OUTERLOOP_TEST_AUTH_PASSWORD_FILE'], 'utf8').trim(),
    baseImage: vars['OUTERLOOP_TEST_BASE_IMAGE'],
    env,
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
