#!/usr/bin/env node
// `npm test` after packaging: every test on the modern toolchain (Compose v2 and buildx, as the test
// bed installs them), then the toolchain's integration tests again on the legacy one (Compose v1 and the classic
// builder), and one closing line that counts both runs: "tests: N passed, N failed, N skipped".
//
// The legacy run is the same machine with the docker CLI plugins out of sight (scripts/without-plugins.sh:
// a private mount namespace hides every folder docker looks for plugins in). Nothing in the product is
// switched; the tasks detect what they find, as on an agent.
//
//   node scripts/run-tests.mjs                   both runs
//   node scripts/run-tests.mjs legacy [FILE...]  the legacy run only: the toolchain's integration tests, or FILEs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MOCHA = join('node_modules', '.bin', 'mocha');
const UNIT = ['test/unit/**/*.test.ts', 'test/tasks/**/*.test.ts'];
const INTEGRATION = ['test/integration/**/*.test.ts'];
// What the legacy run repeats: the tests whose path depends on the docker toolchain (builds, Compose,
// pushes, the whole pipeline). The converter, the cluster, Helm and the tab are the same on both,
// and the loader's oracle is Compose v2 itself.
const LEGACY = ['testbed', 'docker-build-tag', 'compose-test', 'push-digest', 'compose-deploy', 'run', 'demo'].map(
  (f) => `test/integration/${f}.test.ts`,
);

/** Runs mocha with `files` on `toolchain`; returns its counts (from the reporter's summary file). */
function runMocha(toolchain, files, work) {
  const summary = join(work, `${toolchain}.json`);
  const env = { ...process.env, OUTERLOOP_TEST_TOOLCHAIN: toolchain, OUTERLOOP_TEST_SUMMARY: summary };
  const without = join(dirname(fileURLToPath(import.meta.url)), 'without-plugins.sh');
  const argv = toolchain === 'legacy' ? [without, MOCHA, ...files] : [MOCHA, ...files];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
  if (r.error) throw new Error(`could not start the ${toolchain} run (${argv[0]}): ${r.error.message}`);
  if (!existsSync(summary))
    return { passes: 0, failures: 1, pending: 0, broken: `the ${toolchain} run ended before reporting (exit ${r.status})` };
  return JSON.parse(readFileSync(summary, 'utf8'));
}

const [only, ...files] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'outerloop-tests-'));
const runs = [];
try {
  if (only !== 'legacy') runs.push(runMocha('modern', [...UNIT, ...INTEGRATION], work));
  runs.push(runMocha('legacy', only === 'legacy' && files.length > 0 ? files : LEGACY, work));
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const r of runs) if (r.broken) console.log(r.broken);
const sum = (k) => runs.reduce((n, r) => n + (r[k] ?? 0), 0);
console.log(`\ntests: ${sum('passes')} passed, ${sum('failures')} failed, ${sum('pending')} skipped`);
process.exit(sum('failures') > 0 ? 1 : 0);
