import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import glob from 'fast-glob';
import { SUMMARY_ATTACHMENT_TYPE } from './step-output';

/** A Markdown summary a step uploaded (`task.uploadsummary`), in the order uploaded. */
export interface StepSummary {
  markdown: string;
}

/**
 * Where a local run keeps what the agent would upload: `<sources>/.outerloop/artifacts/<name>/`
 * for artifacts, `<sources>/.outerloop/test-results/` for published test results and
 * `<sources>/.outerloop/attachments/<type>/` for attachments and summaries. All are emptied when a
 * run starts, so they always hold this run's files only.
 */
export class RunOutputs {
  readonly artifactsDir: string;
  readonly testResultsDir: string;
  readonly attachmentsDir: string;
  /** The summaries steps uploaded, for the end of the run. */
  readonly summaries: StepSummary[] = [];

  /**
   * `displayBase` is the folder the user ran `outerloop run` from: paths in messages are relative
   * to it (default: the sources folder), so they can be opened from where the user stands.
   */
  constructor(
    readonly outerloopDir: string,
    private readonly sourcesDir: string,
    private readonly displayBase: string = sourcesDir,
  ) {
    this.artifactsDir = join(outerloopDir, 'artifacts');
    this.testResultsDir = join(outerloopDir, 'test-results');
    this.attachmentsDir = join(outerloopDir, 'attachments');
  }

  /** Empties the artifact and test result folders (and nothing else under .outerloop). */
  async reset(): Promise<void> {
    await rm(this.artifactsDir, { recursive: true, force: true });
    await rm(this.testResultsDir, { recursive: true, force: true });
    await rm(this.attachmentsDir, { recursive: true, force: true });
  }

  private resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.sourcesDir, path);
  }

  /**
   * For messages: a path relative to the folder the user ran from when it is inside it, else
   * `../`-relative when that stays within the sources folder (the user is in a subfolder of the
   * work tree), else absolute.
   */
  display(path: string): string {
    const rel = relative(this.displayBase, path);
    if (rel === '' || isAbsolute(rel)) return path;
    if (!rel.startsWith('..')) return rel;
    const inSources = relative(this.sourcesDir, this.displayBase);
    return inSources && !inSources.startsWith('..') && !isAbsolute(inSources) ? rel : path;
  }

  /**
   * Copies what a step uploaded as artifact `name`: a file into the artifact's folder, a folder's
   * contents into it (several uploads to one name merge, as on the service). Returns the folder, or
   * a one-sentence reason it could not.
   */
  async addArtifact(name: string, path: string): Promise<{ dir: string } | { problem: string }> {
    if (!/^[A-Za-z0-9_.\- ]+$/.test(name) || /^\.+$/.test(name)) return { problem: `artifact name '${name}' is not a valid folder name.` };
    const source = this.resolve(path);
    if (!path || !existsSync(source)) return { problem: `artifact '${name}': '${path}' does not exist.` };
    const dir = join(this.artifactsDir, name);
    await mkdir(dir, { recursive: true });
    const info = await stat(source);
    await cp(source, info.isDirectory() ? dir : join(dir, basename(source)), { recursive: true, force: true });
    return { dir };
  }

  /**
   * Keeps an attachment as `attachments/<type>/<name>` (a summary under its file name), numbered
   * when a name repeats; a summary's text is kept for the end of the run too.
   */
  async addAttachment(type: string, name: string, path: string): Promise<{ file: string } | { problem: string }> {
    const fileName = basename(name || path);
    if (!/^[A-Za-z0-9_.-]+$/.test(type) || !/^[A-Za-z0-9_.\- ]+$/.test(fileName) || /^\.+$/.test(fileName)) {
      return { problem: `attachment '${type}/${fileName}': not a valid folder or file name.` };
    }
    const source = this.resolve(path);
    if (!existsSync(source)) return { problem: `attachment '${type}/${fileName}': '${path}' does not exist.` };
    const dir = join(this.attachmentsDir, type);
    await mkdir(dir, { recursive: true });
    let target = join(dir, fileName);
    for (let n = 2; existsSync(target); n++) target = join(dir, `${n}-${fileName}`);
    await cp(source, target);
    if (type === SUMMARY_ATTACHMENT_TYPE) this.summaries.push({ markdown: await readFile(target, 'utf8') });
    return { file: target };
  }

  /** Copies published test result files; returns the copies and the files that were missing. */
  async addTestResults(files: readonly string[]): Promise<{ copied: string[]; missing: string[] }> {
    const copied: string[] = [];
    const missing: string[] = [];
    await mkdir(this.testResultsDir, { recursive: true });
    for (const file of files) {
      const source = this.resolve(file);
      if (!existsSync(source)) {
        missing.push(file);
        continue;
      }
      let target = join(this.testResultsDir, basename(source));
      for (let n = 2; existsSync(target); n++) target = join(this.testResultsDir, `${n}-${basename(source)}`);
      await cp(source, target);
      copied.push(target);
    }
    return { copied, missing };
  }
}

/**
 * Copies artifacts from `from` (a folder of artifact folders: this run's `.outerloop/artifacts`, or
 * what `--pipeline-artifacts` names) to where a download step puts them: one artifact's files into
 * `target`, or, without an artifact name, each artifact into `target/<name>`. `patterns` (glob lines)
 * choose files within an artifact. The target is emptied first, so it never holds an older run's files.
 */
export async function downloadArtifacts(
  from: string,
  artifact: string | undefined,
  target: string,
  patterns?: string,
): Promise<{ copied: string[] } | { problem: string }> {
  const names = artifact ? [artifact] : existsSync(from) ? (await readdir(from)).sort() : [];
  if (artifact && !existsSync(join(from, artifact))) {
    const known = existsSync(from) ? (await readdir(from)).sort() : [];
    return {
      problem: `there is no artifact '${artifact}' in ${from}${known.length > 0 ? ` (there are ${known.join(', ')})` : ' (there are none yet)'}.`,
    };
  }
  const globs = (patterns ?? '**')
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p);
  const copied: string[] = [];
  for (const name of names) {
    const source = join(from, name);
    const dest = artifact ? target : join(target, name);
    await rm(dest, { recursive: true, force: true });
    await mkdir(dest, { recursive: true });
    for (const file of await glob(globs, { cwd: source, dot: true, onlyFiles: true })) {
      await mkdir(dirname(join(dest, file)), { recursive: true });
      await cp(join(source, file), join(dest, file));
    }
    copied.push(name);
  }
  return { copied };
}
