import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/paths';

/**
 * The import graph of src has no cycles: none between files (type-only imports count: a type cycle
 * is a tangle a reader has to hold in their head all the same) and none between src's top-level
 * folders. The graph comes from TypeScript's own import scanner (`preProcessFile`), so no new
 * dependency is needed.
 */

type Graph = Map<string, string[]>;

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file under `root` and the files under `root` it imports (relative specifiers; packages are left out). */
function fileGraph(root: string): Graph {
  const files = sourceFiles(root);
  const known = new Set(files);
  const graph: Graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => resolve(dirname(file), i.fileName))
      .map((base) => [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((c) => known.has(c)))
      .filter((t): t is string => t !== undefined);
    graph.set(relative(root, file), [...new Set(targets.map((t) => relative(root, t)))]);
  }
  return graph;
}

/** The graph between the top-level folders (a file directly under the root is its own node). */
function folderGraph(files: Graph): Graph {
  const top = (file: string): string => file.split(sep)[0];
  const graph: Graph = new Map();
  for (const [file, targets] of files) {
    const from = top(file);
    const edges = new Set(graph.get(from) ?? []);
    for (const t of targets) if (top(t) !== from) edges.add(top(t));
    graph.set(from, [...edges]);
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan), each sorted: the cycles. */
function findCycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * Folder cycles that exist today through type-only imports, to be removed by their owners: the run
 * summary's records name the plan types of DockerBuildTag and PushDigest, whose run.ts write the
 * records. The test fails when one goes away, so the list only shrinks.
 */
const KNOWN_FOLDER_CYCLES: string[][] = [];

describe('import cycles in src', () => {
  it('finds a cycle where there is one (the check can fail)', () => {
    const graph: Graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    assert.deepEqual(findCycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
    assert.deepEqual(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
  });

  it('no file imports itself back, through any chain of imports', () => {
    const graph = fileGraph(SRC);
    assert.ok(graph.size > 100 && [...graph.values()].some((t) => t.length > 0), 'the scanner read src');
    assert.deepEqual(findCycles(graph).map((c) => `one cycle through: ${c.join(', ')}`), []);
  });

  it("no top-level folder of src imports itself back (beyond the known ones, until they're gone)", () => {
    assert.deepEqual(findCycles(folderGraph(fileGraph(SRC))), KNOWN_FOLDER_CYCLES);
  });
});
