#!/usr/bin/env node
// Prints the import graph between the folders of src/ (and tasks/*): one line per folder, the folders
// it imports, type-only imports marked "(types)". Then the cycles between folders, if any, and the
// files that import the task library. docs/development.md's "Import graph" describes its output.
//
//   node scripts/import-graph.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .ts and .tsx file under `dir`, relative to the root. */
function sources(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The node a file belongs to: `tasks/*` for every entry point, else its folder under src/ (two levels deep for a subfolder). */
function nodeOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'tasks') return 'tasks/*';
  return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

const edges = new Map(); // from -> (to -> 'types' | 'values')
const taskLib = [];
for (const file of [...sources('src'), ...sources('tasks')]) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const m of text.matchAll(/^(import|export)(\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const [, , typeOnly, spec] = m;
    if (spec.startsWith('azure-pipelines-task-lib')) taskLib.push(file);
    if (!spec.startsWith('.')) continue;
    const target = relative(root, normalize(join(root, dirname(file), spec)));
    if (!target.startsWith('src/')) continue;
    const from = nodeOf(file);
    const to = nodeOf(target.includes('.') ? target : `${target}.ts`);
    if (from === to || to.startsWith(`${from}/`) || from.startsWith(`${to}/`)) continue;
    const seen = edges.get(from) ?? new Map();
    seen.set(to, seen.get(to) === 'values' || !typeOnly ? 'values' : 'types');
    edges.set(from, seen);
  }
}

for (const from of [...edges.keys()].sort()) {
  const targets = [...edges.get(from)].sort(([a], [b]) => a.localeCompare(b));
  console.log(`${from} -> ${targets.map(([to, kind]) => (kind === 'types' ? `${to} (types)` : to)).join(', ')}`);
}

// Cycles: a depth-first search over every edge, then over value imports only.
for (const valuesOnly of [false, true]) {
  const cycles = new Set();
  const visit = (node, path) => {
    for (const [to, kind] of edges.get(node) ?? []) {
      if (valuesOnly && kind === 'types') continue;
      const at = path.indexOf(to);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        cycles.add([...cycle.slice(start), ...cycle.slice(0, start), cycle[start]].join(' -> '));
      } else visit(to, [...path, to]);
    }
  };
  for (const node of edges.keys()) visit(node, [node]);
  const what = valuesOnly ? 'cycles through value imports' : 'cycles (type imports included)';
  console.log(
    cycles.size
      ? `\n${what}:\n${[...cycles]
          .sort()
          .map((c) => `  ${c}`)
          .join('\n')}`
      : `\n${what}: none`,
  );
}
console.log(`\nimports azure-pipelines-task-lib: ${[...new Set(taskLib)].sort().join(', ') || 'nothing'}`);
