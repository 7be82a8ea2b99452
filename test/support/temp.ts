import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders this test process made, removed when it exits (a test reads them only while it runs). */
const made: string[] = [];

function remember(dir: string): string {
  if (made.length === 0) {
    process.once('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  made.push(dir);
  return dir;
}

/** A fresh folder `<system temp>/<prefix>XXXXXX`, removed when the test process exits. */
export async function testTempDir(prefix: string): Promise<string> {
  return remember(await mkdtemp(join(tmpdir(), prefix)));
}

/** {@link testTempDir}, for the places that cannot wait. */
export function testTempDirSync(prefix: string): string {
  return remember(mkdtempSync(join(tmpdir(), prefix)));
}
