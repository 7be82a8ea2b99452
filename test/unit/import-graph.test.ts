import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  findCycles,
  folderGraph,
  readImportGraph,
  readImports,
  topNodeOf,
  valueEdges,
  type Graph,
  type ImportKind,
} from '../../scripts/import-graph';
import { ROOT } from '../support/paths';

/** A graph from `node: targets` lists, every edge a value import. */
function graphOf(lists: Record<string, string[]>): Graph {
  return new Map(Object.entries(lists).map(([from, to]) => [from, new Map(to.map((t): [string, ImportKind] => [t, 'values']))]));
}

describe('scripts/import-graph.ts: the reader and the cycle finder', () => {
  it('reads imports as the compiler does: type-only or not, re-exports, import() and require()', () => {
    const text = [
      "import type { A } from './types-only';",
      "import { type B, type C } from './type-bindings';",
      "import { type D, e } from './mixed';",
      "import f from './default';",
      "import './side-effect';",
      "export type { G } from './re-export-types';",
      "export * from './re-export-all';",
      "// import { h } from './in-a-comment';",
      'const s = "import { i } from \'./in-a-string\'";',
      "type J = import('./import-type').J;",
      "const k = await import('./dynamic');",
      "const l = require('./required');",
      'import {',
      '  m,',
      "} from './multi-line';",
    ].join('\n');
    assert.deepEqual(readImports(text), [
      { specifier: './types-only', kind: 'types' },
      { specifier: './type-bindings', kind: 'types' },
      { specifier: './mixed', kind: 'values' },
      { specifier: './default', kind: 'values' },
      { specifier: './side-effect', kind: 'values' },
      { specifier: './re-export-types', kind: 'types' },
      { specifier: './re-export-all', kind: 'values' },
      { specifier: './import-type', kind: 'types' },
      { specifier: './dynamic', kind: 'values' },
      { specifier: './required', kind: 'values' },
      { specifier: './multi-line', kind: 'values' },
    ]);
  });

  it('finds a cycle where there is one (the check can fail)', () => {
    const graph = graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] });
    assert.deepEqual(findCycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
    assert.deepEqual(findCycles(graphOf({ 'a.ts': ['b.ts'], 'b.ts': [] })), []);
  });

  it('tells a cycle through type imports from one through values', () => {
    const graph: Graph = new Map([
      ['src/a/x.ts', new Map<string, ImportKind>([['src/b/y.ts', 'values']])],
      ['src/b/y.ts', new Map<string, ImportKind>([['src/a/x.ts', 'types']])],
    ]);
    const folders = folderGraph(graph, topNodeOf);
    assert.deepEqual(findCycles(folders), [['src/a', 'src/b']]);
    assert.deepEqual(findCycles(valueEdges(folders)), []);
  });
});

/** The rules docs/development.md's "Import graph" states, held to the tree. */
describe('docs/development.md: the import graph', () => {
  const graph = readImportGraph();
  const importsOf = (folder: string): string[] => [...(graph.edges.get(folder)?.keys() ?? [])].sort();

  it('is read from the tree', () => {
    assert.ok(graph.edges.size > 5);
    assert.ok(graph.files.size > 100 && [...graph.files.values()].some((t) => t.size > 0), 'the reader read src');
  });

  it('has only src/pipeline/task-lib.ts import the task library', () => {
    assert.deepEqual(graph.taskLibImporters, ['src/pipeline/task-lib.ts']);
  });

  it('has no cycle between folders through value imports', () => {
    assert.deepEqual(findCycles(valueEdges(graph.edges)), []);
  });

  // Type-only imports count below: a type cycle is a tangle a reader has to hold in their head all the same.
  it('has no file import itself back, through any chain of imports', () => {
    assert.deepEqual(
      findCycles(graph.files).map((c) => `one cycle through: ${c.join(', ')}`),
      [],
    );
  });

  it('has no top-level folder of src import itself back', () => {
    assert.deepEqual(findCycles(folderGraph(graph.files, topNodeOf)), []);
  });

  it('has src/compose import nothing of ours but src/common', () => {
    assert.deepEqual(
      importsOf('src/compose').filter((f) => f !== 'src/common'),
      [],
    );
  });

  it('has no task folder import another', () => {
    const taskFolders = readdirSync(join(ROOT, 'tasks'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'src', d.name)))
      .map((d) => `src/${d.name}`);
    assert.ok(taskFolders.length > 0);
    for (const folder of taskFolders) {
      assert.deepEqual(
        importsOf(folder).filter((f) => taskFolders.includes(f)),
        [],
        `${folder} imports another task's folder`,
      );
    }
  });

  it('has the Outer loop tab import only the summaries', () => assert.deepEqual(importsOf('src/tab'), ['src/summary']));
});
