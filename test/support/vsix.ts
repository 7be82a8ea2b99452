import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import JSZip from 'jszip';
import { ROOT } from './paths';
import { testTempDir } from './temp';

let unpacked: Promise<string> | undefined;

/** The path of the .vsix that `npm run package` wrote for this version. */
export function vsixPath(): string {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return join(ROOT, 'dist', `outerloop-${version}.vsix`);
}

/** Unpacks the .vsix (once per test run) and returns the folder: what users install. */
export function unpackedVsix(): Promise<string> {
  unpacked ??= (async () => {
    const file = vsixPath();
    if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run package' first (npm test does).`);
    const zip = await JSZip.loadAsync(readFileSync(file));
    const dir = await testTempDir('outerloop-vsix-');
    for (const entry of Object.values(zip.files)) {
      const target = join(dir, entry.name);
      if (entry.dir) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await entry.async('nodebuffer'));
    }
    return dir;
  })();
  return unpacked;
}

/** The folder of one task inside the unpacked .vsix. */
export async function vsixTaskDir(folder: string): Promise<string> {
  return join(await unpackedVsix(), 'tasks', folder);
}
