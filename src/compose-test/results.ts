import { stat } from 'node:fs/promises';
import { isAbsolute, sep } from 'node:path';
import fg from 'fast-glob';

/** Test result files a glob found: those written during this run, and older ones left aside. */
export interface FoundResults {
  files: string[];
  /** Files that match but were last written before the run started (a previous run's). */
  stale: string[];
}

/** Clock skew tolerated between the file system's timestamps and this process's clock. */
const SLACK_MS = 2000;

/**
 * Finds the result files `pattern` matches (relative to `cwd`, or absolute), sorted. Files older
 * than `since` belong to an earlier run on the same agent and are returned apart, never published.
 */
export async function findResultFiles(pattern: string, cwd: string, since: number): Promise<FoundResults> {
  // Globs use forward slashes; an absolute Windows path is turned into one.
  const glob = isAbsolute(pattern) && sep === '\\' ? pattern.replace(/\\/g, '/') : pattern;
  const matches = (await fg(glob, { cwd, absolute: true, onlyFiles: true, dot: true })).sort();
  const files: string[] = [];
  const stale: string[] = [];
  for (const file of matches) {
    const { mtimeMs } = await stat(file);
    (mtimeMs + SLACK_MS >= since ? files : stale).push(file);
  }
  return { files, stale };
}
