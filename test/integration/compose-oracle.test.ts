import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { printableProject } from '../../src/cli/commands/config';
import { OuterloopError } from '../../src/common/errors';
import { loadComposeProject } from '../../src/compose/load';
import { canonicalFromCompose, canonicalFromModel, type CanonicalProject } from '../support/compose-canonical';
import { generateCorpus, type CorpusDocument } from '../support/compose-corpus';
import { composeConfig, findComposeV2, type ComposeV2 } from '../support/compose-oracle';
import { CONVERT_FIXTURES, listConvertFixtures } from '../support/convert-fixtures';
import { ROOT } from '../support/paths';

/**
 * Compose v2 is the loader's oracle: for every converter fixture and for generated documents
 * (merges, extends, include, interpolation, env files, profiles), what `outerloop config` loads
 * must agree with `docker compose config --format json` once both are in one canonical shape, and
 * both must accept and refuse the same documents. Generated documents that the loader accepts go
 * to Compose in batches (one call for many: their names carry their id), the others one by one.
 * The agreement figure is printed (docs/BENCHMARKS.md quotes it).
 */

const DOCUMENTS = Number(process.env['OUTERLOOP_ORACLE_DOCUMENTS'] ?? 520);
const SEED = Number(process.env['OUTERLOOP_ORACLE_SEED'] ?? 13);
const BATCH = 25;
const PROJECT = 'oracle';

/**
 * Deliberate differences, each with its reason: fixtures (by folder) whose accept/refuse or whose
 * model differs on purpose.
 */
const DELIBERATE: Record<string, string> = {
  'unconverted-keys':
    'an unknown key is a warning naming it (and is dropped), where Compose refuses the file: the converter reports every key it does not convert',
  'lenient-metadata': 'an unknown key is a warning naming it (and is dropped), where Compose refuses the file',
  'strict-mode': 'an unknown key is a warning naming it (and is dropped), where Compose refuses the file',
  'error-negative-replicas': 'negative replicas are refused, naming the key; Compose accepts them and runs nothing',
  'error-profiles-empty':
    'a profile selection that leaves no service is refused; Compose prints an empty project, which would prune the whole app',
};

type Outcome = { ok: true; project: CanonicalProject } | { ok: false; error: string };

function loadOurs(dir: string, files: string[], profiles: string[], environment: Record<string, string>, projectName?: string): Outcome {
  try {
    const loaded = loadComposeProject({ files, workingDir: dir, environment, profiles, ...(projectName ? { projectName } : {}) });
    // What `outerloop config --format json` prints, read back.
    const printed = JSON.parse(JSON.stringify(printableProject(loaded.project))) as typeof loaded.project;
    return { ok: true, project: canonicalFromModel(printed) };
  } catch (err) {
    if (err instanceof OuterloopError) return { ok: false, error: err.message };
    throw err;
  }
}

function composeArgs(files: string[], profiles: string[], projectName = PROJECT): string[] {
  return ['-p', projectName, ...files.flatMap((f) => ['-f', f]), ...profiles.flatMap((p) => ['--profile', p])];
}

/** The first path at which two values differ, for the report. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  return `${path}: outerloop ${JSON.stringify(a)} vs compose ${JSON.stringify(b)}`;
}

/** Runs async jobs two at a time (the machine has two cores). */
async function inPairs<T, R>(items: readonly T[], job: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

describe("Compose v2 as the loader's oracle", function () {
  let compose: ComposeV2;
  let root: string;

  before(function () {
    const found = findComposeV2();
    if (!found) {
      if (process.env['CI'] === 'true')
        assert.fail('docker compose v2 is missing: the test bed must provide the plugin (or OUTERLOOP_COMPOSE_V2 a binary).');
      this.skip();
    }
    compose = found!;
    root = mkdtempSync(join(tmpdir(), 'outerloop-oracle-'));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('agrees with docker compose config on every converter fixture (accepts, refuses, and what it loads)', async () => {
    const disagreements: string[] = [];
    const cases = listConvertFixtures().filter((name) => !DELIBERATE[name]);
    await inPairs(cases, async (name) => {
      const dir = join(CONVERT_FIXTURES, name);
      const optionsFile = join(dir, 'options.json');
      const options = existsSync(optionsFile)
        ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as {
            profiles?: string[];
            environment?: Record<string, string>;
            projectName?: string;
          })
        : {};
      const files = ['compose.yaml'];
      const ours = loadOurs(dir, files, options.profiles ?? [], options.environment ?? {}, options.projectName ?? PROJECT);
      const theirs = await composeConfig(
        compose,
        dir,
        composeArgs(files, options.profiles ?? [], options.projectName ?? PROJECT),
        options.environment ?? {},
      );
      if (ours.ok !== theirs.ok) {
        disagreements.push(
          `${name}: outerloop ${ours.ok ? 'accepts' : `refuses (${ours.error})`}, compose ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}`,
        );
        return;
      }
      if (ours.ok && theirs.ok) {
        const difference = firstDifference(ours.project, canonicalFromCompose(theirs.project));
        if (difference) disagreements.push(`${name}${difference}`);
      }
    });
    assert.deepEqual(disagreements.sort(), [], `${disagreements.length} fixture(s) disagree`);
  });

  // The other compose projects of the repository: ComposeTest's fixture app (its three files merged) and the example app.
  const PROJECTS: Array<[string, string, string[]]> = [
    [
      'the ComposeTest fixture app',
      join(ROOT, 'test', 'fixtures', 'compose-test-app'),
      ['docker-compose.yml', 'docker-compose.ports.yml', 'docker-compose.tests.yml'],
    ],
    ['the example app', join(ROOT, 'examples'), ['docker-compose.yml']],
  ];
  for (const [name, dir, files] of PROJECTS) {
    it(`agrees with docker compose config on ${name}`, async () => {
      const ours = loadOurs(dir, files, [], {}, PROJECT);
      const theirs = await composeConfig(compose, dir, composeArgs(files, []));
      assert.ok(
        ours.ok && theirs.ok,
        `both load it (outerloop: ${ours.ok ? 'ok' : ours.error}; compose: ${theirs.ok ? 'ok' : theirs.error})`,
      );
      assert.equal(firstDifference(ours.project, canonicalFromCompose(theirs.project)), '');
    });
  }

  it(`agrees with docker compose config on ${DOCUMENTS} generated documents`, async function () {
    const docs = generateCorpus(DOCUMENTS, SEED);
    const dir = join(root, 'corpus');
    mkdirSync(dir, { recursive: true });
    for (const doc of docs) {
      for (const [name, text] of Object.entries(doc.files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
    }
    writeFileSync(join(dir, '.env'), docs.flatMap((d) => d.dotenv).join('\n') + '\n');
    const started = Date.now();
    const ours = new Map(docs.map((d) => [d.id, loadOurs(dir, d.composeFiles, d.profiles, {}, PROJECT)]));
    const oursMs = Date.now() - started;
    const disagreements: string[] = [];
    const belongs =
      (id: string) =>
      (name: string): boolean =>
        name.startsWith(id) && /^[a-z]/.test(name.slice(id.length));
    let calls = 0;

    const compare = (doc: CorpusDocument, project: Record<string, unknown>): void => {
      const mine = ours.get(doc.id)!;
      if (!mine.ok) return;
      const difference = firstDifference(mine.project, canonicalFromCompose(project, belongs(doc.id)));
      if (difference) disagreements.push(`${doc.id}${difference}`);
    };
    // Accepted documents, many per Compose call; a refused batch is split until the refused document is found.
    const checkBatch = async (batch: CorpusDocument[]): Promise<void> => {
      calls++;
      const answer = await composeConfig(
        compose,
        dir,
        composeArgs(
          batch.flatMap((d) => d.composeFiles),
          batch.flatMap((d) => d.profiles),
        ),
      );
      if (answer.ok) {
        for (const doc of batch) compare(doc, answer.project);
        return;
      }
      if (batch.length === 1) {
        disagreements.push(`${batch[0].id}: outerloop accepts, compose refuses (${answer.error})`);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await checkBatch(batch.slice(0, half));
      await checkBatch(batch.slice(half));
    };
    const accepted = docs.filter((d) => ours.get(d.id)!.ok);
    const batches: CorpusDocument[][] = [];
    for (let i = 0; i < accepted.length; i += BATCH) batches.push(accepted.slice(i, i + BATCH));
    await inPairs(batches, checkBatch);
    // Refused documents, one per call: Compose must refuse each too.
    const refused = docs.filter((d) => !ours.get(d.id)!.ok);
    await inPairs(refused, async (doc) => {
      calls++;
      const answer = await composeConfig(compose, dir, composeArgs(doc.composeFiles, doc.profiles));
      const mine = ours.get(doc.id)! as { error: string };
      if (answer.ok) disagreements.push(`${doc.id}: outerloop refuses (${mine.error}), compose accepts`);
    });
    const agreeing = docs.length - new Set(disagreements.map((d) => d.split(/[.:]/)[0])).size;
    const figure =
      `${agreeing}/${docs.length} generated documents agree (${((100 * agreeing) / docs.length).toFixed(1)}%): ${accepted.length} accepted, ${refused.length} refused by both sides` +
      ` (${docs.filter((d) => d.broken).length} broken on purpose); ${calls} compose calls in ${Date.now() - started - oursMs} ms, the loader ${oursMs} ms; compose ${compose.version}, seed ${SEED}`;
    console.log(`      ${figure}`);
    assert.ok(docs.length >= 500 || DOCUMENTS < 500, 'at least 500 documents');
    assert.ok(refused.length > 0 && accepted.length > 0, 'the corpus has documents of both kinds');
    assert.deepEqual(disagreements.slice(0, 20), [], `${disagreements.length} disagreement(s); ${figure}`);
  });
});
