#!/usr/bin/env node
// Type-checks the project (strict tsc) and bundles each task, the CLI and the run page's Outer loop
// tab with esbuild into single self-contained files under dist/. The version in package.json is
// stamped into every task.json.
//
//   node scripts/build.mjs            type-check, then bundle
//   node scripts/build.mjs --no-check bundle only (the tests' fast path after an edit)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const [, minor, patch] = pkg.version.split('.').map(Number);
const taskLibDir = join(root, 'node_modules', 'azure-pipelines-task-lib');

/** The task folders, each with task.json and index.ts. */
export function taskFolders() {
  return readdirSync(join(root, 'tasks'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'tasks', d.name, 'task.json')))
    .map((d) => d.name)
    .sort();
}

/** task.json with Minor and Patch from package.json; Major is the task's own (the @N users write). */
export function stampTaskManifest(manifest) {
  return { ...manifest, version: { Major: manifest.version.Major, Minor: minor, Patch: patch } };
}

function typeCheck() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', join(root, 'src', 'tab')], { stdio: 'inherit' });
}

// A task must carry exactly one copy of azure-pipelines-task-lib: two copies split its global state.
function checkSingleTaskLib(metafile, entry) {
  const roots = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules[\\/]azure-pipelines-task-lib)[\\/]/.exec(input);
    if (m) roots.add(m[1]);
  }
  if (roots.size > 1) throw new Error(`${entry} bundles ${roots.size} copies of azure-pipelines-task-lib: ${[...roots].join(', ')}`);
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

async function bundleTasks() {
  for (const folder of taskFolders()) {
    const src = join(root, 'tasks', folder);
    const out = join(root, 'dist', 'tasks', folder);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const result = await build({ ...common, entryPoints: [join(src, 'index.ts')], outfile: join(out, 'index.js') });
    checkSingleTaskLib(result.metafile, folder);
    const manifest = JSON.parse(readFileSync(join(src, 'task.json'), 'utf8'));
    writeFileSync(join(out, 'task.json'), JSON.stringify(stampTaskManifest(manifest), null, 2) + '\n');
    if (existsSync(join(src, 'icon.png'))) copyFileSync(join(src, 'icon.png'), join(out, 'icon.png'));
    // The library's own messages (tl.loc) are looked up next to the running script.
    copyFileSync(join(taskLibDir, 'lib.json'), join(out, 'lib.json'));
  }
}

async function bundleCli() {
  await build({
    ...common,
    entryPoints: [join(root, 'src', 'cli', 'index.ts')],
    outfile: join(root, 'dist', 'cli', 'outerloop.js'),
  });
}

/** The run page's Outer loop tab: one browser bundle and its page, under dist/tab/. */
export async function bundleTab() {
  const out = join(root, 'dist', 'tab');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    ...common,
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    entryPoints: [join(root, 'src', 'tab', 'index.tsx')],
    outfile: join(out, 'outerloop-tab.js'),
  });
  copyFileSync(join(root, 'src', 'tab', 'outerloop-tab.html'), join(out, 'outerloop-tab.html'));
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const start = Date.now();
  if (!process.argv.includes('--no-check')) typeCheck();
  await bundleTasks();
  await bundleCli();
  await bundleTab();
  console.log(`build: ${taskFolders().length} tasks, the CLI and the Outer loop tab bundled into dist${sep} in ${Date.now() - start} ms`);
}
