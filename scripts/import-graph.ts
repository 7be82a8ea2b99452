// The import graph of src/ and tasks/, as docs/development.md's "Import graph" describes it, read with
// TypeScript's own parser (so comments, strings, multi-line imports, `import type`, `import { type X }`,
// re-exports and `import()` are read as the compiler reads them). It gives the graph between files, the
// graph between folders, the cycles of either (Tarjan) and the files that import the task library.
// test/unit/import-graph.test.ts holds the tree to the rules that page states. Run as a script, it
// prints one line per folder with the folders it imports (type-only imports marked), then the cycles:
//
//   node -r ts-node/register/transpile-only scripts/import-graph.ts
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');

/** How one module imports another: only types (erased from the bundle), or values too. */
export type ImportKind = 'types' | 'values';

/** One import, re-export or `import()` of a file: the specifier as written, and what it brings. */
export interface ImportRef {
  specifier: string;
  kind: ImportKind;
}

/** A graph: node → (imported node → kind; `values` wins when a node is imported both ways). */
export type Graph = Map<string, Map<string, ImportKind>>;

/** The tree's graphs: between files, between folders, and the files that import azure-pipelines-task-lib. */
export interface ImportGraph {
  /** Every source file of src/ and tasks/ (relative to the repository, `/`-separated) → the source files it imports. */
  files: Graph;
  /**
   * Between folders as {@link nodeOf} names them (a subfolder is a node of its own; a folder's imports
   * of its own subfolders are left out).
   */
  edges: Graph;
  taskLibImporters: string[];
}

/** Every .ts and .tsx file under `dir` (declaration files left out), relative to `root`. */
function sources(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(root, path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** True when every binding of a named import or export list is marked `type` (an empty list is a side-effect import: values). */
function allTypeOnly(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** The kind of an `import … from` declaration: types when it is `import type` or imports only `type` bindings. */
function importKind(clause: ts.ImportClause | undefined): ImportKind {
  if (!clause) return 'values';
  if (clause.isTypeOnly) return 'types';
  const named = clause.namedBindings;
  return !clause.name && named && ts.isNamedImports(named) && allTypeOnly(named.elements) ? 'types' : 'values';
}

/** Every import of a module's text: declarations, re-exports, `import x = require()`, `import()`, `require()` and `import('…').T` types. */
export function readImports(text: string, fileName = 'module.ts'): ImportRef[] {
  const kindOfScript = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kindOfScript);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node | undefined, kind: ImportKind): void => {
    if (node && ts.isStringLiteralLike(node)) refs.push({ specifier: node.text, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, importKind(node.importClause));
    else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      const typesOnly = node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && allTypeOnly(clause.elements));
      add(node.moduleSpecifier, typesOnly ? 'types' : 'values');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly ? 'types' : 'values');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, 'types');
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      if (isImport || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0], 'values');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The node a file belongs to: `tasks/*` for every entry point, else its folder under src/ (a subfolder is a node of its own). */
export function nodeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'tasks') return 'tasks/*';
  return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

/** The top-level node a file belongs to: `tasks/*`, its top-level folder under src/, or the file itself when it sits directly in src/. */
export function topNodeOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'tasks' ? 'tasks/*' : parts.slice(0, 2).join('/');
}

/** Adds the edge `from → to`, keeping `values` when the pair is already there as values. */
function addEdge(graph: Graph, from: string, to: string, kind: ImportKind): void {
  const targets = graph.get(from) ?? new Map<string, ImportKind>();
  targets.set(to, targets.get(to) === 'values' ? 'values' : kind);
  graph.set(from, targets);
}

/**
 * The graph between the nodes `nodeOfFile` puts files in: an edge wherever a file of one imports a
 * file of another. Imports within a node, and between a folder and its own subfolders, are left out.
 */
export function folderGraph(files: Graph, nodeOfFile: (file: string) => string): Graph {
  const graph: Graph = new Map();
  for (const [file, targets] of files) {
    const from = nodeOfFile(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const [target, kind] of targets) {
      const to = nodeOfFile(target);
      if (from === to || to.startsWith(`${from}/`) || from.startsWith(`${to}/`)) continue;
      addEdge(graph, from, to, kind);
    }
  }
  return graph;
}

/** The graph without its type-only edges: what the bundle's modules load at run time. */
export function valueEdges(graph: Graph): Graph {
  return new Map([...graph].map(([from, targets]) => [from, new Map([...targets].filter(([, kind]) => kind === 'values'))]));
}

/** Reads every import and re-export of src/ and tasks/ under `root` (by default this repository) into the file and folder graphs. */
export function readImportGraph(root = ROOT): ImportGraph {
  const all = [...sources(root, 'src'), ...sources(root, 'tasks')];
  const known = new Set(all);
  const files: Graph = new Map();
  const taskLibImporters = new Set<string>();
  for (const file of all) {
    const targets = new Map<string, ImportKind>();
    files.set(file, targets);
    for (const { specifier, kind } of readImports(readFileSync(join(root, file), 'utf8'), file)) {
      if (specifier === 'azure-pipelines-task-lib' || specifier.startsWith('azure-pipelines-task-lib/')) taskLibImporters.add(file);
      if (!specifier.startsWith('.')) continue;
      const base = normalize(join(dirname(file), specifier))
        .split('\\')
        .join('/');
      const target = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((c) => known.has(c));
      if (target !== undefined && target !== file) addEdge(files, file, target, kind);
    }
  }
  return { files, edges: folderGraph(files, nodeOf), taskLibImporters: [...taskLibImporters].sort() };
}

/** The strongly connected components of more than one node (Tarjan), each sorted, sorted by first node: the cycles. */
export function findCycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
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
    for (const w of graph.get(v)?.keys() ?? []) {
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

if (require.main === module) {
  const graph = readImportGraph();
  for (const from of [...graph.edges.keys()].sort()) {
    const targets = [...graph.edges.get(from)!].sort(([a], [b]) => a.localeCompare(b));
    if (targets.length === 0) continue;
    console.log(`${from} -> ${targets.map(([to, kind]) => (kind === 'types' ? `${to} (types)` : to)).join(', ')}`);
  }
  const report = (what: string, cycles: string[][]): void =>
    console.log(cycles.length ? `\n${what}:\n${cycles.map((c) => `  ${c.join(', ')}`).join('\n')}` : `\n${what}: none`);
  report('folder cycles (type imports included)', findCycles(graph.edges));
  report('folder cycles through value imports', findCycles(valueEdges(graph.edges)));
  report('top-level folder cycles', findCycles(folderGraph(graph.files, topNodeOf)));
  report('file cycles', findCycles(graph.files));
  console.log(`\nimports azure-pipelines-task-lib: ${graph.taskLibImporters.join(', ') || 'nothing'}`);
}
