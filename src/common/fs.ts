import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors';

/**
 * Writes a file atomically: a temporary file beside it, then a rename. A reader sees the old file
 * or the new one, never half of one, and a failure leaves no partial file behind.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { mode: options.mode ?? 0o644 });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Runs `body` with a new, private (0700) folder `<root>/<prefix>XXXXXX` and removes it with all it
 * holds afterwards, whatever happens (success, failure, cancellation): for credentials that must
 * not be left behind.
 */
export async function withTempDir<T>(root: string, prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(root, prefix));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes `dir` with all it holds, if it exists, and creates it again empty. */
export async function emptyDir(dir: string, options: { mode?: number } = {}): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, ...(options.mode !== undefined ? { mode: options.mode } : {}) });
}

/** The FileError for a file that could not be read: `<path>: the <what> does not exist.` and the like. */
export function fileReadError(path: string, what: string, err: unknown): FileError {
  const code = (err as NodeJS.ErrnoException).code;
  return new FileError(path, code === 'ENOENT' ? `the ${what} does not exist.` : code === 'EISDIR' ? `the ${what} is a folder, not a file.` : `the ${what} cannot be read (${code ?? 'error'}).`);
}

/** Reads a UTF-8 text file, or throws {@link fileReadError} naming it as `what` (e.g. 'compose file'). */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fileReadError(path, what, err);
  }
}
