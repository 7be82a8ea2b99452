import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FileError, InputError } from '../../common/errors';
import { NodeProcessRunner } from '../../process/runner';
import { RunOutputs } from '../../run/collect';
import { PipelineEngine } from '../../run/engine';
import { SecretMasker } from '../../run/mask';
import { parsePipeline } from '../../run/parse';
import { DEFAULT_BUILD_NUMBER_FORMAT, predefinedVariables } from '../../run/predefined';
import { ConsoleReporter } from '../../run/report';
import { parseRunArgs, RUN_USAGE } from '../../run/options';
import { TaskCatalog } from '../../run/task-catalog';
import { nextBuildCounters, prepareWorkFolders, readGitFacts, removeTemp, repositoryName } from '../../run/workspace';
import type { CliCommand, CliIo } from '../io';

/**
 * Where the bundled tasks are: `dist/tasks` beside the CLI bundle (`dist/cli/outerloop.js`), or,
 * when running from the sources, the repository's `dist/tasks`.
 */
export function bundledTasksDir(): string {
  const candidates = [join(__dirname, '..', 'tasks'), join(__dirname, '..', '..', '..', 'dist', 'tasks')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

/** Exit codes: 0 succeeded (with or without issues), 1 failed, 130 cancelled. */
function exitCodeOf(result: string): number {
  if (result === 'Succeeded' || result === 'SucceededWithIssues') return 0;
  return result === 'Canceled' ? 130 : 1;
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const options = parseRunArgs(args, io.env);
  const file = resolve(io.cwd, options.file);
  const shown = relative(io.cwd, file) || file;
  if (!existsSync(file)) throw new FileError(shown, 'no such pipeline file.');
  const pipeline = parsePipeline(await readFile(file, 'utf8'), shown);

  const runner = new NodeProcessRunner({ write: () => undefined });
  const git = await readGitFacts(runner, dirname(file));
  const sourcesDir = options.sourcesDir ? resolve(io.cwd, options.sourcesDir) : (git.topLevel ?? io.cwd);
  if (!existsSync(sourcesDir)) throw new InputError('--sources', `names '${sourcesDir}', which does not exist.`);
  const sourceGit = options.sourcesDir ? await readGitFacts(runner, sourcesDir) : git;

  const catalog = await TaskCatalog.load([...options.taskDirs.map((d) => resolve(io.cwd, d)), bundledTasksDir()]);
  const folders = await prepareWorkFolders(sourcesDir);
  const outputs = new RunOutputs(folders.outerloopDir, sourcesDir, io.cwd);
  await outputs.reset();
  const startedAt = new Date();
  const { buildId, revision } = await nextBuildCounters(folders.outerloopDir, pipeline.buildNumberFormat ?? DEFAULT_BUILD_NUMBER_FORMAT, startedAt);
  const predefined = predefinedVariables({
    ...folders,
    sourcesDir,
    buildId,
    buildNumber: '',
    pipelineFile: isAbsolute(relative(sourcesDir, file)) ? file : relative(sourcesDir, file),
    repositoryName: repositoryName(sourcesDir, sourceGit),
    git: sourceGit,
    os: process.platform === 'win32' ? 'Windows_NT' : process.platform === 'darwin' ? 'Darwin' : 'Linux',
    arch: process.arch === 'arm64' ? 'ARM64' : 'X64',
  });
  if (options.debug) predefined['System.Debug'] = 'true';

  const masker = new SecretMasker();
  for (const value of Object.values(options.secrets)) masker.add(value);
  for (const endpoint of options.endpoints) masker.add(endpoint.parameters['password']);
  const tty = Boolean(io.stdout.isTTY);
  const colour = options.colour ?? (tty && !io.env['NO_COLOR']);
  const reporter = new ConsoleReporter(io.stdout, masker, { tty, colour });

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      io.stderr.write(`\nouterloop run: ${signal}: cancelling; the running step gets SIGINT to clean up (press Ctrl-C again to stop at once).\n`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const engine = new PipelineEngine(pipeline, {
      predefined,
      overrides: options.variables,
      secrets: options.secrets,
      endpoints: options.endpoints,
      revision,
      startedAt,
      catalog,
      outputs,
      reporter,
      masker,
      baseEnv: io.env,
      signal: controller.signal,
      now: () => Date.now(),
    });
    const result = await engine.run();
    await printKept(io, outputs, masker);
    return exitCodeOf(result.result);
  } finally {
    reporter.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await removeTemp(folders);
  }
}

/** Lists the artifacts and test results the run kept, so the user knows where to look. */
async function printKept(io: CliIo, outputs: RunOutputs, masker: SecretMasker): Promise<void> {
  const lines: string[] = [];
  if (existsSync(outputs.artifactsDir)) {
    for (const name of (await readdir(outputs.artifactsDir)).sort()) lines.push(`artifact ${name}: ${outputs.display(join(outputs.artifactsDir, name))}/`);
  }
  if (existsSync(outputs.testResultsDir) && (await readdir(outputs.testResultsDir)).length > 0) lines.push(`test results: ${outputs.display(outputs.testResultsDir)}/`);
  if (lines.length > 0) io.stdout.write(masker.mask(lines.join('\n') + '\n'));
}

/** `outerloop run`: runs an azure-pipelines.yml on this machine. */
export const RUN_COMMAND: CliCommand = {
  name: 'run',
  summary: 'run an azure-pipelines.yml on this machine, with outerloop\'s tasks and bash for scripts',
  usage: RUN_USAGE,
  run: runCommand,
};
