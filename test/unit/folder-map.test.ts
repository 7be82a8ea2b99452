import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/paths';

/**
 * docs/development.md's folder map is the tree's: every folder under src/ (at any depth) has a row,
 * and every folder the map names exists. A new folder needs its row; a moved one, its row moved.
 */

/** Every folder under `dir`, relative to the root, with a trailing '/'. */
function foldersUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [`${dir}/${entry.name}/`, ...foldersUnder(`${dir}/${entry.name}`)]);
}

/** The folders the map's table names: the backticked first cell of each row of the Layout section. */
function mapFolders(): string[] {
  const doc = readFileSync(join(ROOT, 'docs', 'development.md'), 'utf8');
  const start = doc.indexOf('\n## Layout\n');
  assert.ok(start >= 0, "docs/development.md has a '## Layout' section");
  const section = doc.slice(start + 1).split(/\n## /)[0];
  const rows = [...section.matchAll(/^\| `([^`]+\/)` \|/gm)].map((m) => m[1]);
  assert.ok(rows.length > 0, 'the Layout section has a folder table');
  return rows;
}

describe('docs/development.md: the folder map', () => {
  it('names every folder under src/', () => {
    const named = new Set(mapFolders());
    assert.deepEqual(
      foldersUnder('src').filter((folder) => !named.has(folder)),
      [],
      'folders under src/ that the map does not name',
    );
  });

  it('names only folders that exist', () => {
    assert.deepEqual(
      mapFolders().filter((folder) => !(existsSync(join(ROOT, folder)) && statSync(join(ROOT, folder)).isDirectory())),
      [],
      'folders the map names that are not in the tree',
    );
  });
});
