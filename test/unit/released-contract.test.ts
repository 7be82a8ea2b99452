import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/paths';

/**
 * Pipelines in the wild name these inputs and read these outputs. Removing or renaming one breaks
 * them, so it takes a new major version (a new task folder side by side with the old). Adding is
 * fine; after a release, add the new names to tasks/released-contract.json.
 */
type Contract = Record<string, { inputs: string[]; outputVariables: string[] }>;
const released = JSON.parse(readFileSync(join(ROOT, 'tasks', 'released-contract.json'), 'utf8')) as Contract;

const current = new Map<string, { inputs: Set<string>; outputs: Set<string> }>();
for (const folder of readdirSync(join(ROOT, 'tasks'))) {
  const file = join(ROOT, 'tasks', folder, 'task.json');
  if (!existsSync(file)) continue;
  const t = JSON.parse(readFileSync(file, 'utf8')) as {
    name: string;
    version: { Major: number };
    inputs: Array<{ name: string; aliases?: string[] }>;
    outputVariables?: Array<{ name: string }>;
  };
  current.set(`${t.name}@${t.version.Major}`, {
    inputs: new Set(t.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])])),
    outputs: new Set((t.outputVariables ?? []).map((o) => o.name)),
  });
}

describe('the released task contract (tasks/released-contract.json)', () => {
  for (const [task, contract] of Object.entries(released)) {
    it(`${task} still exists, with every released input (or an alias for it) and output variable`, () => {
      const now = current.get(task);
      assert.ok(now, `${task} was released: keep its folder, or ship a new major beside it`);
      assert.deepEqual(
        contract.inputs.filter((i) => !now.inputs.has(i)),
        [],
        `${task} lost released inputs`,
      );
      assert.deepEqual(
        contract.outputVariables.filter((o) => !now.outputs.has(o)),
        [],
        `${task} lost released output variables`,
      );
    });
  }
});
