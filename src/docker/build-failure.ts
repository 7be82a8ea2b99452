import { neutralizeLoggingCommands } from '../process/neutralize';
import { lastLines, type ExecResult } from '../process/runner';

const MAX_PART = 300;

/** Drops terminal colour codes (the classic builder colours a step's stderr). */
function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_PART ? `${flat.slice(0, MAX_PART - 1)}…` : flat;
}

/** docker's own notices, which are never the reason a build failed. */
function isNoise(line: string): boolean {
  return /^(DEPRECATED:|\s+Install the buildx component|\s+https:\/\/docs\.docker\.com\/go\/buildx)/.test(line) || /^-+$/.test(line.trim());
}

/** The classic builder's failing step (`Step 3/5 : RUN make`) and the last line that step printed. */
function classicStep(stdout: string): { step: string; lastOutput?: string } | undefined {
  const lines = stdout.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^Step \d+\/\d+ : /.test(lines[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const m = /^Step (\d+\/\d+) : (.*)$/.exec(lines[start])!;
  const printed = lines
    .slice(start + 1)
    .filter((l) => l.trim() !== '' && !/^ ---> /.test(l) && !/^Removing intermediate container/.test(l));
  return { step: `step ${m[1]} (${clip(m[2])})`, lastOutput: printed.pop() };
}

/**
 * BuildKit's failing step (` > [2/3] RUN make:`) from its error summary, and the last line the step
 * printed: the summary repeats the step's last output lines, time-stamped, up to a `------` line.
 */
function buildkitStep(stderr: string): { step: string; lastOutput?: string } | undefined {
  const lines = stderr.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^ > \[[^\]]+\] .*:\s*$/.test(lines[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const m = /^ > \[([^\]]+)\] (.*):\s*$/.exec(lines[start])!;
  const end = lines.findIndex((l, i) => i > start && /^-+$/.test(l.trim()));
  const printed = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .map((l) => l.replace(/^\d+\.\d+ /, ''))
    .filter((l) => l.trim() !== '');
  return { step: `step ${m[1]} (${clip(m[2])})`, lastOutput: printed.pop() };
}

/**
 * One sentence that says why a build failed: the failing step and docker's error, plus the last
 * line the step printed when there is one. Read from the build's output for the message only.
 */
export function describeBuildFailure(raw: ExecResult): string {
  const result = { ...raw, stdout: stripAnsi(raw.stdout), stderr: stripAnsi(raw.stderr) };
  const errors = result.stderr.split('\n').filter((l) => l.trim() !== '' && !isNoise(l));
  const buildkitError = [...errors].reverse().find((l) => /^ERROR:? /.test(l));
  const reason = clip(
    (buildkitError ?? errors.pop() ?? lastLines(result.stdout, 1)[0] ?? `exit code ${result.code}`).replace(/^ERROR:? /, ''),
  );
  const failed = buildkitError ? buildkitStep(result.stderr) : (classicStep(result.stdout) ?? buildkitStep(result.stderr));
  const step = failed?.step;
  const last = failed?.lastOutput;
  const printed = last && !reason.includes(clip(last)) ? `; the step's last output was '${clip(last)}'` : '';
  const sentence = `docker build failed${step ? ` at ${step}` : ''}: ${reason.replace(/[.\s]+$/, '')}${printed}.`;
  return neutralizeLoggingCommands(sentence);
}
