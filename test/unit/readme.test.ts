import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ROOT } from '../support/paths';

/**
 * The README stays true to every task.json: each task's `### Name@Major` section has an inputs
 * table and an outputs table that list exactly the task's inputs (with their defaults) and output
 * variables, and every step of a YAML example that uses one of our tasks gives only its inputs.
 * Generic over tasks/*: a task whose task.json changes is held to its new inputs.
 */

interface TaskManifest {
  name: string;
  version: { Major: number };
  inputs?: Array<{ name: string; defaultValue?: string; required?: boolean }>;
  outputVariables?: Array<{ name: string }>;
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tasks = readdirSync(join(ROOT, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ folder: d.name, manifest: JSON.parse(readFileSync(join(ROOT, 'tasks', d.name, 'task.json'), 'utf8')) as TaskManifest }));

/** The text of the `### Name@Major` section, up to the next heading of level 2 or 3. */
function sectionOf(heading: string): string | undefined {
  const start = readme.indexOf(`\n### ${heading}\n`);
  if (start < 0) return undefined;
  const rest = readme.slice(start + heading.length + 6);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The rows of the table whose header's first cell is `header`: first cell's `name`, second cell. */
function tableRows(section: string, header: string): Array<{ name: string; second: string; first: string }> {
  const lines = section.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\|\\s*${header}\\s*\\|`).test(l));
  if (at < 0) return [];
  const rows: Array<{ name: string; second: string; first: string }> = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const name = /^`([^`]+)`/.exec(cells[0])?.[1];
    assert.ok(name, `a ${header} row names its ${header} in backticks first: ${line}`);
    rows.push({ name, second: cells[1] ?? '', first: cells[0] });
  }
  return rows;
}

/** Every mapping with a `task: Name@Major` key anywhere in a parsed YAML document. */
function taskSteps(node: unknown, out: Array<{ task: string; inputs: Record<string, unknown> }> = []): Array<{ task: string; inputs: Record<string, unknown> }> {
  if (Array.isArray(node)) for (const item of node) taskSteps(item, out);
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record['task'] === 'string') out.push({ task: record['task'], inputs: (record['inputs'] ?? {}) as Record<string, unknown> });
    for (const value of Object.values(record)) taskSteps(value, out);
  }
  return out;
}

const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README: every task section against its task.json', () => {
  it('finds the task folders', () => assert.ok(tasks.length > 0));

  // A task whose reference is its own page (docs/tasks/<folder>.md, where the docs branch moves
  // them all) is held to that page there, not to a README section.
  for (const { folder, manifest } of tasks.filter((t) => !existsSync(join(ROOT, 'docs', 'tasks', `${t.folder}.md`)))) {
    const heading = `${manifest.name}@${manifest.version.Major}`;
    describe(`${heading} (tasks/${folder})`, () => {
      const section = sectionOf(heading) ?? '';
      const inputs = manifest.inputs ?? [];
      const outputs = manifest.outputVariables ?? [];

      it('has its own section', () => assert.ok(section !== '', `README has a '### ${heading}' section`));

      it("lists exactly task.json's inputs in its inputs table", () => {
        assert.deepEqual(tableRows(section, 'input').map((r) => r.name).sort(), inputs.map((i) => i.name).sort());
      });

      it('states the defaults task.json has', () => {
        const rows = new Map(tableRows(section, 'input').map((r) => [r.name, r.second]));
        for (const input of inputs) {
          if (!input.defaultValue) continue;
          assert.ok(rows.get(input.name)?.includes(`\`${input.defaultValue}\``), `${input.name}'s default ${input.defaultValue} is in its row: ${rows.get(input.name)}`);
        }
      });

      it('marks exactly the inputs task.json requires as (required)', () => {
        const marked = tableRows(section, 'input').filter((r) => /\(required\)/.test(r.first)).map((r) => r.name).sort();
        assert.deepEqual(marked, inputs.filter((i) => i.required).map((i) => i.name).sort());
      });

      it("lists exactly task.json's output variables in its outputs table", () => {
        assert.deepEqual(tableRows(section, 'output').map((r) => r.name).sort(), outputs.map((o) => o.name).sort());
      });

      it('is used in a YAML example, with its inputs only', () => {
        const names = new Set(inputs.map((i) => i.name));
        const steps = yamlBlocks.flatMap((block) => taskSteps(load(block))).filter((s) => s.task === heading);
        assert.ok(steps.length > 0, `a YAML example in the README uses ${heading}`);
        for (const step of steps) for (const key of Object.keys(step.inputs)) assert.ok(names.has(key), `${heading}'s example input ${key} is one of its inputs`);
      });
    });
  }

  it('has YAML examples that parse, naming only versions of our tasks that exist', () => {
    const ours = new Set(tasks.map((t) => t.manifest.name));
    for (const block of yamlBlocks) {
      for (const step of taskSteps(load(block))) {
        const [name, major] = step.task.split('@');
        if (ours.has(name)) assert.ok(tasks.some((t) => t.manifest.name === name && String(t.manifest.version.Major) === major), `${step.task} is a version this extension has`);
      }
    }
  });

  it('keeps its ComposeToK8s@1 example showing both a deploy and a render', () => {
    const steps = yamlBlocks.flatMap((block) => taskSteps(load(block))).filter((s) => s.task === 'ComposeToK8s@1');
    assert.ok(steps.some((s) => s.inputs['action'] === 'render') && steps.some((s) => s.inputs['action'] === undefined || s.inputs['action'] === 'deploy'), 'a deploy and a render example');
  });
});
