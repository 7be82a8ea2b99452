import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, YAML11_SCHEMA, loadAll } from 'js-yaml';
import { isDeepStrictEqual } from 'node:util';
import { OuterloopError } from '../../src/common/errors';
import { renderComposeProject } from '../../src/k8s/convert';

/**
 * The fuzzer's worker process: renders one mutated compose file at a time in a copy of its seed
 * fixture, and answers how it went. The parent kills it when a document takes too long (a hang).
 */

/** What the parent sends: the fixture folder to copy once, and the compose text to render there. */
export interface FuzzCase {
  id: number;
  fixture: string;
  text: string;
  environment: Record<string, string>;
}

/** What the worker answers. */
export type FuzzAnswer =
  | { id: number; outcome: 'rendered'; yaml: string; objects: unknown[] }
  | { id: number; outcome: 'typed-error' }
  | { id: number; outcome: 'crash'; detail: string }
  | { id: number; outcome: 'round-trip'; detail: string };

// The parent owns this folder and removes it, even after killing a worker that hung.
const work = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'worker-'));
const copied = new Set<string>();
process.on('disconnect', () => {
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
});

async function runCase(c: FuzzCase): Promise<FuzzAnswer> {
  const dir = join(work, c.fixture.replace(/[^A-Za-z0-9_-]/g, '_'));
  if (!copied.has(dir)) {
    cpSync(c.fixture, dir, { recursive: true });
    copied.add(dir);
  }
  writeFileSync(join(dir, 'compose.yaml'), c.text);
  let yaml: string;
  let objects: unknown[];
  try {
    const result = await renderComposeProject({
      source: { files: ['compose.yaml'], workingDir: dir, environment: c.environment, profiles: ['*'] },
    });
    yaml = result.yaml;
    objects = JSON.parse(JSON.stringify(result.objects)) as unknown[];
  } catch (err) {
    if (err instanceof OuterloopError) return { id: c.id, outcome: 'typed-error' };
    return { id: c.id, outcome: 'crash', detail: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  for (const schema of [CORE_SCHEMA, YAML11_SCHEMA]) {
    let read: unknown;
    try {
      read = loadAll(yaml, null, { schema });
    } catch (err) {
      return { id: c.id, outcome: 'round-trip', detail: `js-yaml cannot read the manifests: ${(err as Error).message.split('\n')[0]}` };
    }
    if (!isDeepStrictEqual(read, objects))
      return {
        id: c.id,
        outcome: 'round-trip',
        detail: `js-yaml (${schema === CORE_SCHEMA ? 'core' : 'YAML 1.1'}) reads different objects`,
      };
  }
  return { id: c.id, outcome: 'rendered', yaml, objects };
}

process.on('message', (message: FuzzCase) => {
  void runCase(message).then((answer) => process.send!(answer));
});
