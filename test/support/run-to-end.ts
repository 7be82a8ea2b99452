import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a command to its end, collecting what it prints. */
export function runToEnd(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The summary lines `outerloop run` ends with: `[result, label]` per step. */
export function summaryOf(stdout: string): Array<[string, string]> {
  const summary = stdout.slice(stdout.indexOf('Summary of build'));
  return [...summary.matchAll(/^ {2}(Succeeded|SucceededWithIssues|Failed|Canceled|Skipped) +(?:\d+m \d+s|\d+\.\ds)? {2}(.+)$/gm)].map(
    (m) => [m[1], m[2]],
  );
}

/** Every file below `dir` (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}
