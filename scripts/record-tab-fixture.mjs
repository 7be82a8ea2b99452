#!/usr/bin/env node
// Records the Outer loop tab's browser-test fixture from a real run: the outerloop.result
// attachments that `npm run demo` (outerloop run) kept under .outerloop/attachments/, in the order
// the steps attached them, into test/fixtures/outerloop-tab/demo-run/<n>-<name>.json. The work
// tree's path becomes an agent's sources folder, so the fixture does not depend on this machine.
//
//   npm run demo && node scripts/record-tab-fixture.mjs
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kept = join(root, '.outerloop', 'attachments', 'outerloop.result');
const fixture = join(root, 'test', 'fixtures', 'outerloop-tab', 'demo-run');
const files = readdirSync(kept)
  .map((name) => ({ name, mtime: statSync(join(kept, name)).mtimeMs }))
  .sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
if (files.length === 0) throw new Error(`${kept} holds no records: run npm run demo first`);
rmSync(fixture, { recursive: true, force: true });
mkdirSync(fixture, { recursive: true });
files.forEach(({ name }, i) => {
  // outerloop run numbers a repeated name (2-docker-build-tag); the agent keeps the name itself.
  const attachment = name.replace(/^\d+-/, '');
  const text = readFileSync(join(kept, name), 'utf8').split(root).join('/home/vsts/work/1/s');
  writeFileSync(join(fixture, `${i + 1}-${attachment}.json`), text);
});
console.log(`record-tab-fixture: ${files.length} records into ${fixture.slice(root.length + 1)}`);
