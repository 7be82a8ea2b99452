import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { agentEnvironment } from './agent/task-process';
import { watchChild } from './child-control';
import type { ScriptStep } from './model';
import { StepOutput } from './step-output';
import { stoppedOutcome, type StepOutcome, type StepRunContext } from './step-context';

/** The bash command line, as the agent runs a script step: the script is a file, never a `-c` string. */
export function bashArgs(scriptFile: string): string[] {
  return ['--noprofile', '--norc', '-e', '-o', 'pipefail', scriptFile];
}

/** The pwsh command line, as the agent runs a pwsh: step: dot-source the script file. */
export function pwshArgs(scriptFile: string): string[] {
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Unrestricted',
    '-Command',
    `. '${scriptFile.replace(/'/g, "''")}'`,
  ];
}

/**
 * A pwsh: script as the agent wraps it: stop on the first error, and exit with the last native
 * command's exit code.
 */
export function pwshScript(script: string): string {
  return `$ErrorActionPreference = 'Stop'\n${script}\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n`;
}

/**
 * Runs a `script:` or `bash:` step: its text (macros expanded, as the agent does) is written to a
 * file in Agent.TempDirectory, run with bash, then removed. The environment holds the non-secret
 * variables under their agent names and the step's `env:`; a secret reaches a script only through
 * `env:`. Output is read line by line by {@link StepOutput}: the script may set variables with
 * `##vso[task.setvariable]` at the start of a line; any other `##vso[` is shown neutralized.
 */
export async function runScriptStep(step: ScriptStep, context: StepRunContext): Promise<StepOutcome> {
  const output = new StepOutput('script', context.masker, context.sink, context.debug);
  const { variables } = context.variables.split();
  const env = agentEnvironment(context.baseEnv, variables);
  for (const [name, value] of Object.entries(step.env)) env[name] = context.variables.expand(value);
  const workingDirectory = step.workingDirectory ? context.variables.expand(step.workingDirectory) : context.sourcesDir;
  const cwd = isAbsolute(workingDirectory) ? workingDirectory : join(context.sourcesDir, workingDirectory);
  const powershell = step.keyword === 'pwsh' || step.keyword === 'powershell';
  const file = join(context.tempDir, `script-${randomBytes(8).toString('hex')}.${powershell ? 'ps1' : 'sh'}`);
  const text = context.variables.expand(step.script);
  await writeFile(file, powershell ? pwshScript(text) : text, { mode: 0o700 });
  const shell = powershell ? 'pwsh' : 'bash';
  let stderrSeen = false;
  try {
    const child = spawn(shell, powershell ? pwshArgs(file) : bashArgs(file), {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const watch = watchChild(child, { signal: context.signal, timeoutMs: context.timeoutMs, processGroup: true });
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const pending = { stdout: '', stderr: '' };
        const feed = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
          if (stream === 'stderr' && chunk.length > 0) stderrSeen = true;
          const lines = (pending[stream] + chunk.toString('utf8')).split('\n');
          pending[stream] = lines.pop() ?? '';
          for (const line of lines) output.line(line);
        };
        child.stdout.on('data', (c: Buffer) => feed('stdout', c));
        child.stderr.on('data', (c: Buffer) => feed('stderr', c));
        child.on('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'ENOENT' ? new Error(`${shell} was not found on PATH; ${step.keyword}: steps need it.`) : err),
        );
        child.on('close', (exitCode) => {
          for (const rest of [pending.stdout, pending.stderr]) if (rest) output.line(rest);
          resolve(exitCode);
        });
      });
      const stopped = stoppedOutcome(watch, context.timeoutMs);
      if (stopped) return { ...stopped, effects: output.effects };
      const name = powershell ? 'PowerShell' : 'Bash';
      if (code !== 0)
        return { result: 'Failed', message: `${name} exited with code ${code ?? 'unknown (killed)'}.`, effects: output.effects };
      if (step.failOnStderr && stderrSeen)
        return { result: 'Failed', message: `${name} wrote to standard error (failOnStderr is true).`, effects: output.effects };
      return { result: 'Succeeded', effects: output.effects };
    } finally {
      watch.dispose();
    }
  } finally {
    await rm(file, { force: true });
  }
}
