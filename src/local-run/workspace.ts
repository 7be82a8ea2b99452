import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { emptyDir, writeFileAtomic } from '../common/fs';
import type { ProcessRunner } from '../process/runner';
import { revisionKey } from './predefined-variables';

/** What git says about the working tree (each part undefined when git cannot tell). */
export interface GitFacts {
  topLevel?: string;
  sourceVersion?: string;
  branch?: string;
  remoteUrl?: string;
  message?: string;
}

/** Asks git about `dir`; a folder outside git, or no git at all, gives empty facts. */
export async function readGitFacts(runner: ProcessRunner, dir: string): Promise<GitFacts> {
  const ask = async (...args: string[]): Promise<string | undefined> => {
    try {
      const r = await runner.exec('git', ['-C', dir, ...args], { quiet: true, noEcho: true });
      const out = r.stdout.trim();
      return r.code === 0 && out ? out : undefined;
    } catch {
      return undefined;
    }
  };
  const topLevel = await ask('rev-parse', '--show-toplevel');
  if (!topLevel) return {};
  const [sourceVersion, branch, remoteUrl, message] = await Promise.all([
    ask('rev-parse', 'HEAD'),
    ask('symbolic-ref', '--short', '-q', 'HEAD'),
    ask('config', '--get', 'remote.origin.url'),
    ask('log', '-1', '--format=%s'),
  ]);
  return { topLevel, sourceVersion, branch, remoteUrl, message };
}

/** The folders of a local run, under `<sources>/.outerloop/`. */
export interface WorkFolders {
  outerloopDir: string;
  workDir: string;
  tempDir: string;
  stagingDir: string;
  binariesDir: string;
}

/** Where the folders of a local run are, without touching them. */
export function workFolders(sourcesDir: string): WorkFolders {
  const outerloopDir = join(sourcesDir, '.outerloop');
  const workDir = join(outerloopDir, 'work');
  return { outerloopDir, workDir, tempDir: join(workDir, '_temp'), stagingDir: join(workDir, 'a'), binariesDir: join(workDir, 'b') };
}

/**
 * Prepares `.outerloop/work/`: the staging and binaries folders are emptied (the agent cleans them
 * for each run too) and a fresh temp folder is made, which {@link removeTemp} deletes at the end.
 */
export async function prepareWorkFolders(sourcesDir: string): Promise<WorkFolders> {
  const folders = workFolders(sourcesDir);
  for (const dir of [folders.tempDir, folders.stagingDir, folders.binariesDir]) {
    await emptyDir(dir, { mode: 0o700 });
  }
  return folders;
}

/** Removes the run's temp folder: it may hold script files with expanded secrets. */
export async function removeTemp(folders: WorkFolders): Promise<void> {
  await rm(folders.tempDir, { recursive: true, force: true });
}

interface Counters {
  buildId: number;
  revisions: Record<string, number>;
}

/**
 * The next build id and `$(Rev:r)` revision, kept in `.outerloop/counters.json` so that two local
 * runs never get the same build number (tags and compose project names stay unique).
 */
export async function nextBuildCounters(outerloopDir: string, format: string, date: Date): Promise<{ buildId: number; revision: number }> {
  const file = join(outerloopDir, 'counters.json');
  let counters: Counters = { buildId: 0, revisions: {} };
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Counters>;
      counters = { buildId: Number(parsed.buildId) || 0, revisions: parsed.revisions ?? {} };
    } catch {
      // A damaged counter file only costs the numbering: start again.
    }
  }
  const key = `${format}#${revisionKey(format, date)}`;
  counters.buildId += 1;
  counters.revisions = { [key]: (counters.revisions[key] ?? 0) + 1 };
  await writeFileAtomic(file, JSON.stringify(counters, null, 2) + '\n');
  return { buildId: counters.buildId, revision: counters.revisions[key] };
}

/** The repository name: the git work tree's folder name, else the sources folder's. */
export function repositoryName(sourcesDir: string, git: GitFacts): string {
  return basename(git.topLevel ?? sourcesDir);
}
