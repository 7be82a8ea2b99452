import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { OuterloopError } from '../../../src/common/errors';
import { renderComposeProject } from '../../../src/k8s/render';
import { prng } from '../../support/adversarial';
import { CONVERT_FIXTURES, listConvertFixtures } from '../../support/convert-fixtures';

// Mutated compose documents must give a rendering or a typed error (OuterloopError), never a
// crash (TypeError, RangeError, a stack). Bounded in count and time; the seed is fixed so that a
// failure can be replayed, and the failing document is printed.

const ODD_VALUES: unknown[] = [
  null, 0, -1, 1.5, 65536, true, '', ' ', '${', '${X:?boom}', '$$', '!reset', '0', 'a'.repeat(300), '../../etc/passwd', '80:80:80:80', '::', '-1',
  [], [null], [[]], {}, { a: { b: { c: [] } } }, ['CMD'], ['CMD-SHELL'], { target: 'x' }, { condition: 'nope' }, '1.5.6', '∞', 'Ünïcödé', '\u0000',
];
const TEXT_SNIPPETS = ['${', '}', ':', '- ', '&a ', '*a', '!reset ', '!override ', '<<: *a\n', '\n  ', '"', "'", '#', '{', '[', '\t', '---\n', '? ', '|\n'];

function mutateTree(value: unknown, random: () => number, depth = 0): unknown {
  if (random() < 0.06) return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
  if (Array.isArray(value)) {
    const out = value.map((v) => mutateTree(v, random, depth + 1));
    if (random() < 0.1) out.push(ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]);
    if (random() < 0.1) out.splice(Math.floor(random() * out.length), 1);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (random() < 0.05) continue;
      out[random() < 0.02 ? `${k}_x` : k] = mutateTree(v, random, depth + 1);
    }
    return out;
  }
  return value;
}

function mutateText(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const r = random();
    if (r < 0.4) out = out.slice(0, at) + TEXT_SNIPPETS[Math.floor(random() * TEXT_SNIPPETS.length)] + out.slice(at);
    else if (r < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8));
    else {
      const lines = out.split('\n');
      const n = Math.floor(random() * lines.length);
      lines.splice(n, 0, lines[Math.floor(random() * lines.length)]);
      out = lines.join('\n');
    }
  }
  return out;
}

describe('converter fuzzing', function () {
  this.timeout(60_000);
  const work = mkdtempSync(join(tmpdir(), 'outerloop-fuzz-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('turns mutated compose files into manifests or typed errors only (bounded: 4 s)', async () => {
    const random = prng(20261122);
    const sources = listConvertFixtures().filter((n) => !n.startsWith('error-'));
    const deadline = Date.now() + 4000;
    let runs = 0;
    let typedErrors = 0;
    while (Date.now() < deadline && runs < 600) {
      const name = sources[runs % sources.length];
      const dir = join(work, name);
      if (runs < sources.length) cpSync(join(CONVERT_FIXTURES, name), dir, { recursive: true });
      const original = readFileSync(join(CONVERT_FIXTURES, name, 'compose.yaml'), 'utf8');
      let mutated: string;
      if (random() < 0.5) mutated = mutateText(original, random);
      else {
        let tree: unknown;
        try {
          tree = load(original);
        } catch {
          tree = {};
        }
        mutated = dump(mutateTree(tree, random), { skipInvalid: true });
      }
      writeFileSync(join(dir, 'compose.yaml'), mutated);
      runs++;
      try {
        await renderComposeProject({ composeFiles: ['compose.yaml'], workingDir: dir, environment: { TAG: '1' }, profiles: ['*'] });
      } catch (err) {
        if (err instanceof OuterloopError) {
          typedErrors++;
          continue;
        }
        assert.fail(`run ${runs} (${name}) crashed with ${(err as Error).stack}\n--- document ---\n${mutated}`);
      }
    }
    assert.ok(runs >= 50, `only ${runs} runs`);
    assert.ok(typedErrors > 0, 'no mutation was rejected: the fuzzer is not reaching the error paths');
  });
});
