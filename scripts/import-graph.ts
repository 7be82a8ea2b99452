// The import graph between the folders of src/ (and tasks/*), as docs/development.md's "Import graph"
// describes it: one line per folder with the folders it imports (type-only imports marked), then the
// cycles between folders and the files that import the task library. test/unit/import-graph.test.ts
// holds the tree to the rules that page states.
//
//   node -r ts-node/register/transpile-only scripts/import-graph.ts
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..');

/** How a folder imports another: only types, or values too. */
export type ImportKind = 'types' | 'values';

/** The graph: folder → (imported folder → kind), and the files that import azure-pipelines-task-lib. */
export interface ImportGraph {
  edges: Map<string, Map<string, ImportKind>>;
  taskLibImporters: string[];
}

/** Every .ts and .tsx file under `dir` (declaration files left out), relative to the root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The node a file belongs to: `tasks/*` for every entry point, else its folder under src/ (a subfolder is a node of its own). */
export function nodeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'tasks') return 'tasks/*';
  return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

/** Reads every import and re-export of src/ and tasks/ into the folder graph (a folder's imports of its own subfolders are left out). */
export function readImportGraph(): ImportGraph {
  const edges = new Map<string, Map<string, ImportKind>>();
  const taskLibImporters = new Set<string>();
  for (const file of [...sources('src'), ...sources('tasks')]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [, typeOnly, spec] of text.matchAll(/^(?:import|export)(\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (spec.startsWith('azure-pipelines-task-lib')) taskLibImporters.add(file);
      if (!spec.startsWith('.')) continue;
      const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec)));
      if (!target.startsWith('src/')) continue;
      const from = nodeOf(file);
      const to = nodeOf(/\.[a-z]+$/.test(target) ? target : `${target}.ts`);
      if (from === to || to.startsWith(`${from}/`) || from.startsWith(`${to}/`)) continue;
      const seen = edges.get(from) ?? new Map<string, ImportKind>();
      seen.set(to, seen.get(to) === 'values' || !typeOnly ? 'values' : 'types');
      edges.set(from, seen);
    }
  }
  return { edges, taskLibImporters: [...taskLibImporters].sort() };
}

/** The cycles between folders, each as `a -> b -> a` starting at its first folder in sort order; `valuesOnly` ignores type-only imports. */
export function cyclesOf(graph: ImportGraph, valuesOnly: boolean): string[] {
  const cycles = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    for (const [to, kind] of graph.edges.get(node) ?? []) {
      if (valuesOnly && kind === 'types') continue;
      const at = path.indexOf(to);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        cycles.add([...cycle.slice(start), ...cycle.slice(0, start), cycle[start]].join(' -> '));
      } else visit(to, [...path, to]);
    }
  };
  for (const node of graph.edges.keys()) visit(node, [node]);
  return [...cycles].sort();
}

if (require.main === module) {
  const graph = readImportGraph();
  for (const from of [...graph.edges.keys()].sort()) {
    const targets = [...graph.edges.get(from)!].sort(([a], [b]) => a.localeCompare(b));
    console.log(`${from} -> ${targets.map(([to, kind]) => (kind === 'types' ? `${to} (types)` : to)).join(', ')}`);
  }
  for (const valuesOnly of [false, true]) {
    const cycles = cyclesOf(graph, valuesOnly);
    const what = valuesOnly ? 'cycles through value imports' : 'cycles (type imports included)';
    console.log(cycles.length ? `\n${what}:\n${cycles.map((c) => `  ${c}`).join('\n')}` : `\n${what}: none`);
  }
  console.log(`\nimports azure-pipelines-task-lib: ${graph.taskLibImporters.join(', ') || 'nothing'}`);
}
