import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadAll } from 'js-yaml';
import { COMMANDS } from '../../src/cli/main';
import { ROOT } from '../support/paths';

/**
 * The documentation stays true to the code: each task's page (docs/tasks/<folder>.md) lists exactly
 * its task.json's inputs (in order, with their defaults and which are required) and output
 * variables; every YAML example gives our tasks only their inputs; the CLI page names every command
 * and option the CLI's usage text has; every relative link resolves; the README stays short and
 * links every task page; the marketplace overview speaks to pipeline users only.
 * Generic over tasks/*: a task whose task.json changes is held to its new inputs.
 */

interface TaskManifest {
  name: string;
  version: { Major: number };
  inputs?: Array<{ name: string; defaultValue?: string; required?: boolean }>;
  outputVariables?: Array<{ name: string }>;
}

/** Every Markdown file under `dir`, relative to the root. */
function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const PAGES = ['README.md', ...markdownUnder('docs')];
const OVERVIEW = 'docs/marketplace/overview.md';
const tasks = readdirSync(join(ROOT, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ folder: d.name, manifest: JSON.parse(read(join('tasks', d.name, 'task.json'))) as TaskManifest }));

/** The rows of the first table whose header's first cell is `header`: the backticked name of the first cell, the cells. */
function tableRows(text: string, header: string): Array<{ name: string; cells: string[] }> {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\|\\s*${header}\\s*\\|`).test(l));
  if (at < 0) return [];
  const rows: Array<{ name: string; cells: string[] }> = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    const name = /^`([^`]+)`/.exec(cells[0])?.[1];
    assert.ok(name, `a ${header} row names its ${header} in backticks first: ${line}`);
    rows.push({ name, cells });
  }
  return rows;
}

type Step = { task: string; inputs: Record<string, unknown> };

/** Every mapping with a `task: Name@Major` key anywhere in a parsed YAML document. */
function taskSteps(node: unknown, out: Step[] = []): Step[] {
  if (Array.isArray(node)) for (const item of node) taskSteps(item, out);
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record['task'] === 'string') out.push({ task: record['task'], inputs: (record['inputs'] ?? {}) as Record<string, unknown> });
    for (const value of Object.values(record)) taskSteps(value, out);
  }
  return out;
}

/** The task steps of every YAML example of a page, with the page they are on. */
function stepsOf(page: string): Array<Step & { page: string }> {
  const blocks = [...read(page).matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((block) => loadAll(block).flatMap((doc) => taskSteps(doc))).map((s) => ({ ...s, page }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as '-'. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('docs: every task page against its task.json', () => {
  it('finds the task folders', () => assert.ok(tasks.length > 0));

  for (const { folder, manifest } of tasks) {
    const heading = `${manifest.name}@${manifest.version.Major}`;
    const page = `docs/tasks/${folder}.md`;
    describe(`${heading} (${page})`, () => {
      const text = existsSync(join(ROOT, page)) ? read(page) : '';
      const inputs = manifest.inputs ?? [];
      const outputs = manifest.outputVariables ?? [];

      it('has its page, titled with the task', () =>
        assert.equal(text.split('\n')[0], `# ${heading}`, `${page} starts with '# ${heading}'`));

      it("lists task.json's inputs in its inputs table, in order", () => {
        assert.deepEqual(
          tableRows(text, 'input').map((r) => r.name),
          inputs.map((i) => i.name),
        );
      });

      it('states the defaults task.json has', () => {
        const rows = new Map(tableRows(text, 'input').map((r) => [r.name, r.cells[1] ?? '']));
        for (const input of inputs) {
          if (!input.defaultValue) continue;
          assert.ok(
            rows.get(input.name)?.includes(`\`${input.defaultValue}\``),
            `${input.name}'s default ${input.defaultValue} is in its row`,
          );
        }
      });

      it('marks exactly the inputs task.json requires as (required)', () => {
        const marked = tableRows(text, 'input').filter((r) => /\(required\)/.test(r.cells[0]));
        assert.deepEqual(
          marked.map((r) => r.name),
          inputs.filter((i) => i.required).map((i) => i.name),
        );
      });

      it("lists task.json's output variables in its outputs table, in order", () => {
        assert.deepEqual(
          tableRows(text, 'output').map((r) => r.name),
          outputs.map((o) => o.name),
        );
      });

      it('is used in a YAML example on its page', () => {
        assert.ok(
          stepsOf(page).some((s) => s.task === heading),
          `${page} has a YAML example with task: ${heading}`,
        );
      });

      it('is linked from the README', () => assert.ok(read('README.md').includes(`](${page})`), `README.md links ${page}`));
    });
  }

  it('has no page for a task that does not exist', () => {
    const pages = readdirSync(join(ROOT, 'docs', 'tasks')).filter((f) => f.endsWith('.md'));
    assert.deepEqual(pages.sort(), tasks.map((t) => `${t.folder}.md`).sort());
  });

  it('keeps the ComposeToK8s@1 examples showing both a deploy and a render', () => {
    const steps = stepsOf('docs/tasks/compose-to-k8s.md').filter((s) => s.task === 'ComposeToK8s@1');
    assert.ok(steps.some((s) => s.inputs['action'] === 'render'));
    assert.ok(steps.some((s) => s.inputs['action'] === undefined || s.inputs['action'] === 'deploy'));
  });
});

describe('docs: the YAML examples of every page', () => {
  it('are found', () => assert.ok(PAGES.flatMap(stepsOf).length >= tasks.length));

  it('name only versions of our tasks that exist, with their inputs only', () => {
    const steps = PAGES.flatMap(stepsOf);
    for (const step of steps) {
      const [name, major] = step.task.split('@');
      const task = tasks.find((t) => t.manifest.name === name);
      if (!task) continue;
      assert.equal(String(task.manifest.version.Major), major, `${step.page}: ${step.task} is a version this extension has`);
      const names = new Set((task.manifest.inputs ?? []).map((i) => i.name));
      for (const key of Object.keys(step.inputs))
        assert.ok(names.has(key), `${step.page}: ${step.task}'s example input ${key} is one of its inputs`);
    }
  });
});

describe('docs: the CLI page', () => {
  const text = read('docs/cli.md');

  for (const command of COMMANDS) {
    it(`documents outerloop ${command.name} and every option its usage lists`, () => {
      assert.match(text, new RegExp(`^## outerloop ${command.name}$`, 'm'));
      const flags = new Set([...command.usage.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((m) => m[1]));
      assert.ok(flags.size > 0, command.usage);
      for (const flag of flags)
        assert.ok(text.includes(`\`${flag}`), `docs/cli.md names ${flag} of outerloop ${command.name} in backticks`);
    });
  }

  it('documents the top-level options', () => {
    for (const flag of ['-h', '--help', '-v', '--version']) assert.ok(text.includes(`\`${flag}\``), flag);
  });
});

describe('docs: links', () => {
  for (const page of PAGES) {
    it(`${page}: every relative link and picture resolves`, () => {
      const text = read(page);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), path);
        assert.ok(existsSync(file), `${page} links ${target}, which is not in the repository`);
        if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue;
        const anchors = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]));
        assert.ok(anchors.includes(anchor), `${page} links ${target}: ${relative(ROOT, file)} has no heading with that anchor`);
      }
    });
  }
});

describe('docs: the README is for a newcomer', () => {
  const text = read('README.md');

  it('is under about 200 lines', () => assert.ok(text.split('\n').length <= 200, `${text.split('\n').length} lines`));

  it('shows the two set-up commands: the demo and the tests', () => {
    const block = /## Set up on a fresh machine[\s\S]*?```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.trim() !== '');
    assert.equal(commands.length, 2, block);
    assert.match(commands[0], /npm run demo/);
    assert.match(commands[1], /npm test/);
  });

  it('shows the Outer loop tab', () => assert.ok(text.includes('](docs/images/outerloop-tab.png)')));
});

describe('docs: the marketplace overview', () => {
  const manifest = JSON.parse(read('vss-extension.json')) as { content: { details: { path: string } } };
  const text = read(OVERVIEW);

  it('is what the package stages as the extension details', () => {
    assert.equal(manifest.content.details.path, 'overview.md');
    assert.match(read('scripts/package.mjs'), /'docs', 'marketplace', 'overview\.md'/);
  });

  it('speaks to pipeline users: no contributor set-up', () => {
    for (const word of [
      'npm ci',
      'npm run package',
      'npm run demo',
      'npm test',
      'test bed',
      'test-infra',
      'scripts/',
      'git clone',
      'mocha',
    ]) {
      assert.ok(!text.includes(word), `the overview does not mention '${word}'`);
    }
  });

  it('names every task, shows a YAML example of them and a picture', () => {
    for (const { manifest: m } of tasks) assert.ok(text.includes(`${m.name}@${m.version.Major}`), `${m.name} in the overview`);
    assert.ok(stepsOf(OVERVIEW).length > 0, 'a YAML example with our tasks');
    assert.match(text, /!\[[^\]]+\]\(\.\.\/images\/[^)]+\.png\)/);
  });
});
