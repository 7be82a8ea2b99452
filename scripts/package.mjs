#!/usr/bin/env node
// Stages dist/extension/ from the bundles and writes dist/outerloop-<version>.vsix with tfx-cli.
// Run `npm run build` first (npm run package does both). Fails when the package holds node_modules
// or grows past the size budget.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { taskFolders } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stage = join(root, 'dist', 'extension');
const vsix = join(root, 'dist', `outerloop-${pkg.version}.vsix`);
const SIZE_BUDGET = 1.5 * 1024 * 1024;

rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'images'), { recursive: true });
const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
writeFileSync(join(stage, 'vss-extension.json'), JSON.stringify({ ...manifest, version: pkg.version }, null, 2) + '\n');
copyFileSync(join(root, 'images', 'extension-icon.png'), join(stage, 'images', 'extension-icon.png'));
// The marketplace overview (vss-extension.json's content.details) is for pipeline users:
// docs/marketplace/overview.md, staged at the package root. Its pictures sit beside it in
// docs/images/, so its links are rewritten from docs/marketplace/ to the root.
const OVERVIEW_PICTURES = ['outerloop-tab.png'];
const overview = readFileSync(join(root, 'docs', 'marketplace', 'overview.md'), 'utf8').replaceAll('](../images/', '](docs/images/');
writeFileSync(join(stage, manifest.content.details.path), overview);
mkdirSync(join(stage, 'docs', 'images'), { recursive: true });
for (const picture of OVERVIEW_PICTURES) {
  copyFileSync(join(root, 'docs', 'images', picture), join(stage, 'docs', 'images', picture));
}
for (const [, target] of overview.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
  if (!existsSync(join(stage, target))) throw new Error(`the overview shows ${target}, which the package does not hold`);
}
for (const folder of taskFolders()) {
  const built = join(root, 'dist', 'tasks', folder);
  if (!existsSync(join(built, 'index.js'))) throw new Error(`dist/tasks/${folder}/index.js is missing: run npm run build first`);
  cpSync(built, join(stage, 'tasks', folder), { recursive: true });
}

const tab = join(root, 'dist', 'tab');
for (const file of ['outerloop-tab.html', 'outerloop-tab.js']) {
  if (!existsSync(join(tab, file))) throw new Error(`dist/tab/${file} is missing: run npm run build first`);
}
cpSync(tab, join(stage, 'tab'), { recursive: true });

rmSync(vsix, { force: true });
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js'),
    'extension',
    'create',
    '--root',
    stage,
    '--manifest-globs',
    'vss-extension.json',
    '--output-path',
    vsix,
    '--no-prompt',
    '--no-color',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TFX_TRACE: '' } },
);

const zip = await JSZip.loadAsync(readFileSync(vsix));
const names = Object.keys(zip.files);
const bad = names.filter((n) => n.split('/').includes('node_modules'));
if (bad.length > 0) throw new Error(`the .vsix holds node_modules: ${bad.slice(0, 3).join(', ')}`);
for (const file of [manifest.content.details.path, 'tab/outerloop-tab.html', 'tab/outerloop-tab.js', 'docs/images/outerloop-tab.png']) {
  if (!names.includes(file)) throw new Error(`the .vsix lacks ${file}`);
}
for (const folder of taskFolders()) {
  for (const file of ['task.json', 'index.js', 'icon.png']) {
    if (!names.includes(`tasks/${folder}/${file}`)) throw new Error(`the .vsix lacks tasks/${folder}/${file}`);
  }
}
const size = statSync(vsix).size;
if (size > SIZE_BUDGET) throw new Error(`the .vsix is ${size} bytes, over the ${SIZE_BUDGET}-byte budget`);
console.log(`package: ${vsix.slice(root.length + 1)} (${size} bytes, ${taskFolders().length} tasks and the Outer loop tab)`);
