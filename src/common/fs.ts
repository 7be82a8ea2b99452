import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors';
import { MAX_FILE_BYTES, formatBytes } from './limits';

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
  if (err instanceof FileError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new FileError(
    path,
    code === 'ENOENT'
      ? `the ${what} does not exist.`
      : code === 'EISDIR'
        ? `the ${what} is a folder, not a file.`
        : `the ${what} cannot be read (${code ?? 'error'}).`,
  );
}

// O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused right after, by fstat.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function checkReadable(
  path: string,
  what: string,
  stats: { isFile(): boolean; isDirectory(): boolean; size: number },
  limit: number,
): void {
  if (stats.isDirectory()) throw new FileError(path, `the ${what} is a folder, not a file.`);
  if (!stats.isFile())
    throw new FileError(path, `the ${what} is not a regular file (a device, FIFO or socket): only regular files are read.`);
  if (stats.size > limit)
    throw new FileError(path, `the ${what} is ${formatBytes(stats.size)}, more than the ${formatBytes(limit)} a file may be.`);
}

function grew(path: string, what: string): FileError {
  return new FileError(path, `the ${what} grew while it was read.`);
}

/**
 * Reads a file only if it is a regular file of at most `limit` bytes (stat first): `/dev/zero`, a
 * FIFO or a huge file is refused with one sentence instead of reading forever or exhausting memory.
 */
export function readBoundedFileSync(path: string, what: string, limit = MAX_FILE_BYTES): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, READ_FLAGS);
    const stats = fstatSync(fd);
    checkReadable(path, what, stats, limit);
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > stats.size) throw grew(path, what);
    return buffer.subarray(0, length);
  } catch (err) {
    throw fileReadError(path, what, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** {@link readBoundedFileSync}, asynchronously. */
export async function readBoundedFile(path: string, what: string, limit = MAX_FILE_BYTES): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, READ_FLAGS);
    const stats = await handle.stat();
    checkReadable(path, what, stats, limit);
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = (await handle.read(buffer, length, buffer.length - length, null)).bytesRead;
    if (length > stats.size) throw grew(path, what);
    return buffer.subarray(0, length);
  } catch (err) {
    throw fileReadError(path, what, err);
  } finally {
    await handle?.close();
  }
}

/** Reads a UTF-8 text file (bounded, see {@link readBoundedFile}), or throws {@link fileReadError} naming it as `what`. */
export async function readTextFile(path: string, what: string): Promise<string> {
  return (await readBoundedFile(path, what)).toString('utf8');
}

/** The synchronous twin of {@link readTextFile}. */
export function readTextFileSync(path: string, what: string): string {
  return readBoundedFileSync(path, what).toString('utf8');
}
