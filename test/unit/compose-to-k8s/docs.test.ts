import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ROOT } from '../../support/paths';

/** The README's ComposeToK8s@1 section stays true to task.json. */
describe('README: the ComposeToK8s@1 section', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('### ComposeToK8s@1')[1].split(/\n## /)[0];
  const manifest = JSON.parse(readFileSync(join(ROOT, 'tasks', 'compose-to-k8s', 'task.json'), 'utf8')) as {
    inputs: Array<{ name: string; defaultValue?: string }>;
    outputVariables: Array<{ name: string }>;
  };

  it('lists every input and output of task.json in its tables, and nothing else', () => {
    const rows = [...section.matchAll(/^\| `([A-Za-z]+)`/gm)].map((m) => m[1]);
    const expected = [...manifest.inputs.map((i) => i.name), ...manifest.outputVariables.map((o) => o.name)];
    assert.deepEqual([...rows].sort(), [...expected].sort());
  });

  it("has a YAML example whose inputs are the task's", () => {
    const yaml = section.split('```yaml')[1].split('```')[0];
    const doc = load(yaml) as { steps: Array<{ task?: string; inputs?: Record<string, unknown> }> };
    const names = new Set(manifest.inputs.map((i) => i.name));
    const steps = doc.steps.filter((s) => s.task === 'ComposeToK8s@1');
    assert.ok(steps.length >= 2, 'a deploy and a render example');
    for (const step of steps) for (const key of Object.keys(step.inputs ?? {})) assert.ok(names.has(key), `${key} is an input`);
  });

  it('states the defaults task.json has', () => {
    for (const input of manifest.inputs) {
      if (!input.defaultValue) continue;
      const row = section.split('\n').find((l) => l.startsWith(`| \`${input.name}\``));
      assert.ok(row?.includes(`\`${input.defaultValue}\``), `${input.name}'s default ${input.defaultValue} is in its row: ${row}`);
    }
  });
});
