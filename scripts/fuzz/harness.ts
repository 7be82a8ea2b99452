import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { adversarialString, prng } from '../../test/support/adversarial';
import { CONVERT_FIXTURES, listConvertFixtures } from '../../test/support/convert-fixtures';
import { readWithKubectl } from '../../test/support/kubectl-read';
import { mutateCompose, type MutationKind } from './mutate';
import type { FuzzAnswer, FuzzCase } from './worker';

/**
 * The compose fuzzer: mutates the golden fixtures' compose files (structural, textual and
 * string-leaf mutators), renders each in a worker process with a time limit, and checks every
 * rendering reads back to the same objects in js-yaml and in kubectl's reader. A typed error is a
 * pass; a crash (any other exception), a hang (no answer in time) or a round-trip difference is a
 * failure, kept with its document under `outDir`.
 */

/** How to run: the same seed gives the same cases. */
export interface FuzzOptions {
  seed: number;
  cases: number;
  /** A document that takes longer is a hang (the worker is killed and restarted). */
  timePerDocumentMs: number;
  /** Where failing documents are written (default: a temporary folder, removed when all passed). */
  outDir?: string;
  /** How many renderings kubectl reads at once. */
  kubectlBatch?: number;
  onProgress?: (done: number) => void;
}

/** What a run found. */
export interface FuzzReport {
  cases: number;
  rendered: number;
  typedErrors: number;
  crashes: number;
  hangs: number;
  roundTripFailures: number;
  byKind: Record<MutationKind, number>;
  failures: Array<{ id: number; kind: 'crash' | 'hang' | 'round-trip'; detail: string; file: string }>;
  seconds: number;
  outDir: string;
}

/** The report's closing line: what CI prints and what the nightly run is judged by. */
export function closingLine(report: FuzzReport, seed: number): string {
  return `fuzz: seed ${seed}, ${report.cases} cases (${report.rendered} rendered, ${report.typedErrors} typed errors) in ${report.seconds.toFixed(1)} s: ${report.crashes} crashes, ${report.hangs} hangs, ${report.roundTripFailures} round-trip failures`;
}

class Worker {
  private child: ChildProcess;
  constructor(private readonly workRoot: string) {
    this.child = fork(join(__dirname, 'worker.ts'), [workRoot], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  }
  run(c: FuzzCase, timeoutMs: number): Promise<FuzzAnswer | 'hang'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child.removeAllListeners('message');
        this.child.kill('SIGKILL');
        this.child = new Worker(this.workRoot).child;
        resolve('hang');
      }, timeoutMs);
      this.child.once('message', (answer: FuzzAnswer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.child.send(c);
    });
  }
  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/** Runs the fuzzer; see {@link FuzzOptions}. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const random = prng(options.seed);
  const seeds = listConvertFixtures()
    .filter((n) => !n.startsWith('error-'))
    .map((name) => {
      const dir = join(CONVERT_FIXTURES, name);
      const options = existsSync(join(dir, 'options.json'))
        ? (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as { environment?: Record<string, string> })
        : {};
      return { dir, text: readFileSync(join(dir, 'compose.yaml'), 'utf8'), environment: options.environment ?? {} };
    });
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'outerloop-fuzz-'));
  mkdirSync(outDir, { recursive: true });
  const batchDir = mkdtempSync(join(tmpdir(), 'outerloop-fuzz-kubectl-'));
  const report: FuzzReport = {
    cases: 0,
    rendered: 0,
    typedErrors: 0,
    crashes: 0,
    hangs: 0,
    roundTripFailures: 0,
    byKind: { structural: 0, textual: 0, 'string-leaf': 0 },
    failures: [],
    seconds: 0,
    outDir,
  };
  const texts = new Map<number, string>();
  const fail = (id: number, kind: 'crash' | 'hang' | 'round-trip', detail: string): void => {
    const file = join(outDir, `case-${id}.yaml`);
    writeFileSync(file, texts.get(id) ?? '');
    report.failures.push({ id, kind, detail, file });
    if (kind === 'crash') report.crashes++;
    else if (kind === 'hang') report.hangs++;
    else report.roundTripFailures++;
  };
  let batch: Array<{ id: number; file: string; objects: unknown[] }> = [];
  const readBatch = (): void => {
    if (batch.length === 0) return;
    let read: Array<Record<string, unknown>> | undefined;
    try {
      read = readWithKubectl(
        batchDir,
        batch.map((b) => b.file),
      );
    } catch {
      read = undefined;
    }
    let at = 0;
    for (const entry of batch) {
      let mine: unknown[] | undefined;
      if (read) mine = read.slice(at, (at += entry.objects.length));
      else {
        try {
          mine = readWithKubectl(batchDir, [entry.file]);
        } catch (err) {
          fail(entry.id, 'round-trip', `kubectl cannot read the manifests: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
      }
      if (!isDeepStrictEqual(mine, entry.objects)) fail(entry.id, 'round-trip', 'kubectl reads different objects');
    }
    for (const entry of batch) rmSync(join(batchDir, entry.file), { force: true });
    batch = [];
  };
  const workRoot = mkdtempSync(join(tmpdir(), 'outerloop-fuzz-work-'));
  const worker = new Worker(workRoot);
  try {
    for (let id = 0; id < options.cases; id++) {
      const seed = seeds[id % seeds.length];
      const { kind, text } = mutateCompose(seed.text, random);
      report.byKind[kind]++;
      texts.set(id, text);
      const environment = { TAG: '1', API_KEY: 'k', API_TOKEN: 't', ...seed.environment, NOTE: adversarialString(random) };
      const answer = await worker.run({ id, fixture: seed.dir, text, environment }, options.timePerDocumentMs);
      report.cases++;
      if (answer === 'hang') fail(id, 'hang', `no answer within ${options.timePerDocumentMs} ms`);
      else if (answer.outcome === 'typed-error') report.typedErrors++;
      else if (answer.outcome === 'crash' || answer.outcome === 'round-trip') fail(id, answer.outcome, answer.detail);
      else {
        report.rendered++;
        const file = `case-${id}.yaml`;
        writeFileSync(join(batchDir, file), answer.yaml);
        batch.push({ id, file, objects: answer.objects });
        if (batch.length >= (options.kubectlBatch ?? 400)) readBatch();
      }
      texts.delete(id - 1);
      if (report.failures.some((f) => f.id === id)) texts.delete(id);
      options.onProgress?.(id + 1);
    }
    readBatch();
  } finally {
    worker.stop();
    rmSync(batchDir, { recursive: true, force: true });
    rmSync(workRoot, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - started) / 1000;
  if (report.failures.length === 0 && !options.outDir) rmSync(outDir, { recursive: true, force: true });
  return report;
}
