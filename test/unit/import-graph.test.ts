import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cyclesOf, readImportGraph } from '../../scripts/import-graph';
import { ROOT } from '../support/paths';

/** The rules docs/development.md's "Import graph" states, held to the tree. */
describe('docs/development.md: the import graph', () => {
  const graph = readImportGraph();
  const importsOf = (folder: string): string[] => [...(graph.edges.get(folder)?.keys() ?? [])].sort();

  it('is read from the tree', () => assert.ok(graph.edges.size > 5));

  it('has only src/pipeline/task-lib.ts import the task library', () => {
    assert.deepEqual(graph.taskLibImporters, ['src/pipeline/task-lib.ts']);
  });

  it('has no cycle between folders through value imports', () => assert.deepEqual(cyclesOf(graph, true), []));

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
