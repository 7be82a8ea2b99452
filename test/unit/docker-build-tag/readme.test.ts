import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskManifest } from '../../../src/local-run/agent/task-manifest';
import { ROOT } from '../../support/paths';

const manifest = JSON.parse(readFileSync(join(ROOT, 'tasks', 'docker-build-tag', 'task.json'), 'utf8')) as TaskManifest;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### DockerBuildTag@1'), readme.indexOf('\n### ', readme.indexOf('### DockerBuildTag@1') + 1));

/** The rows of the Markdown table whose header starts with `| first |`: cells, trimmed. */
function table(first: string): string[][] {
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  assert.ok(start >= 0, `a table headed '${first}'`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((c) => c.trim()));
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

describe('README: the DockerBuildTag@1 section matches task.json', () => {
  it('lists every input, in order, with its default and whether it is required', () => {
    const rows = table('input').map(([name, defaultValue]) => {
      const required = name.endsWith(' (required)');
      return { name: unquote(name.replace(' (required)', '')), required, defaultValue: unquote(defaultValue) };
    });
    assert.deepEqual(rows, manifest.inputs.map((i) => ({ name: i.name, required: i.required === true, defaultValue: i.defaultValue ?? '' })));
  });

  it('lists every output variable, in order', () => {
    assert.deepEqual(table('output').map(([name]) => unquote(name)), (manifest.outputVariables ?? []).map((o) => o.name));
  });

  it('has a YAML example that names only real inputs', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const inputs = /inputs:\n((?: {6}.*\n)+)/.exec(yaml)?.[1] ?? '';
    const names = [...inputs.matchAll(/^ {6}([A-Za-z]+):/gm)].map((m) => m[1]);
    assert.ok(names.length >= 3, yaml);
    for (const name of names) assert.ok(manifest.inputs.some((i) => i.name === name), `${name} is an input`);
  });
});
