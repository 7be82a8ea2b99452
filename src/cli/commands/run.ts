import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FileError, InputError } from '../../common/errors';
import { neutralizeLoggingCommands } from '../../process/neutralize';
import { NodeProcessRunner } from '../../process/runner';
import { RunOutputs } from '../../local-run/run-outputs';
import { PipelineEngine } from '../../local-run/engine';
import { SecretMasker } from '../../local-run/secret-masker';
import { expandPipelineFile, parsePipeline } from '../../local-run/parse-pipeline';
import { readVariablesFile } from '../../local-run/variables-file';
import { takePipelineResource, writeRunRecord } from '../../local-run/pipeline-resources';
import { printExpandedPipeline } from '../../local-run/template-expand';
import { DEFAULT_BUILD_NUMBER_FORMAT, predefinedVariables } from '../../local-run/predefined-variables';
import { ConsoleReporter } from '../../local-run/report';
import { TaskCatalog } from '../../local-run/task-catalog';
import {
  nextBuildCounters,
  prepareWorkFolders,
  readGitFacts,
  removeTemp,
  repositoryName,
  workFolders,
  type WorkFolders,
} from '../../local-run/workspace';
import type { CliCommand, CliIo } from '../io';
import { parseRunArgs, RUN_USAGE } from './run-options';

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
  for (const vars of options.variablesFiles) {
    const path = resolve(io.cwd, vars);
    if (!existsSync(path)) throw new InputError('--variables-file', `names '${vars}', which does not exist.`);
    const read = readVariablesFile(await readFile(path, 'utf8'), relative(io.cwd, path) || path);
    // --var and --secret on the command line win over a file's values.
    options.variables = { ...read.variables, ...options.variables };
    options.secrets = { ...read.secrets, ...options.secrets };
  }

  const runner = new NodeProcessRunner({ write: () => undefined });
  const git = await readGitFacts(runner, dirname(file));
  const sourcesDir = options.sourcesDir ? resolve(io.cwd, options.sourcesDir) : (git.topLevel ?? io.cwd);
  if (!existsSync(sourcesDir)) throw new InputError('--sources', `names '${sourcesDir}', which does not exist.`);
  const sourceGit = options.sourcesDir ? await readGitFacts(runner, sourcesDir) : git;
  const facts = (folders: WorkFolders, buildId: number): Record<string, string> =>
    predefinedVariables({
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
  const parseOptions = {
    path: file,
    repositoryRoot: git.topLevel ?? sourcesDir,
    display: (p: string) => relative(io.cwd, p) || p,
    parameters: options.parameters,
    // ${{ variables.x }} sees the predefined variables and the file's own, not --var: as on the
    // service, variables given when a run starts are runtime variables.
    variables: facts(workFolders(sourcesDir), 0),
  };
  const text = await readFile(file, 'utf8');
  if (options.expand) {
    // Like everything outerloop run prints, with ##vso[ defused: it may run inside a real pipeline.
    io.stdout.write(neutralizeLoggingCommands(printExpandedPipeline(expandPipelineFile(file, shown, text, parseOptions))));
    return 0;
  }
  const pipeline = parsePipeline(text, shown, parseOptions);
  for (const alias of Object.keys(options.pipelineArtifacts)) {
    if (!pipeline.pipelineResources.some((p) => p.alias.toLowerCase() === alias.toLowerCase())) {
      throw new InputError('--pipeline-artifacts', `names '${alias}', which is not a pipeline in ${shown}'s resources.pipelines.`);
    }
    const dir = resolve(io.cwd, options.pipelineArtifacts[alias]);
    if (!existsSync(dir))
      throw new InputError('--pipeline-artifacts', `names '${options.pipelineArtifacts[alias]}', which does not exist.`);
    options.pipelineArtifacts[alias] = dir;
  }
  const catalog = await TaskCatalog.load([...options.taskDirs.map((d) => resolve(io.cwd, d)), bundledTasksDir()]);
  const folders = await prepareWorkFolders(sourcesDir);
  // Before this run empties its artifacts folder: the pipeline resources may be an earlier run's.
  const resourceVariables: Record<string, string> = {};
  for (const resource of pipeline.pipelineResources) {
    const given = Object.entries(options.pipelineArtifacts).find(([alias]) => alias.toLowerCase() === resource.alias.toLowerCase());
    if (given) {
      const taken = await takePipelineResource(folders.outerloopDir, resource.alias, resource.source, given[1]);
      options.pipelineArtifacts[given[0]] = taken.dir;
      Object.assign(resourceVariables, taken.variables);
    } else {
      resourceVariables[`resources.pipeline.${resource.alias}.pipelineName`] = resource.source;
      resourceVariables[`resources.pipeline.${resource.alias}.runName`] = 'local';
    }
  }
  const outputs = new RunOutputs(folders.outerloopDir, sourcesDir, io.cwd);
  await outputs.reset();
  const startedAt = new Date();
  const { buildId, revision } = await nextBuildCounters(
    folders.outerloopDir,
    pipeline.buildNumberFormat ?? DEFAULT_BUILD_NUMBER_FORMAT,
    startedAt,
  );
  const predefined = facts(folders, buildId);
  Object.assign(predefined, resourceVariables);
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
      io.stderr.write(
        `\nouterloop run: ${signal}: cancelling; the running step gets SIGINT to clean up (press Ctrl-C again to stop at once).\n`,
      );
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
      pipelineArtifacts: options.pipelineArtifacts,
    });
    const result = await engine.run();
    await writeRunRecord(folders.outerloopDir, {
      pipelineFile: predefined['System.PipelineFile'],
      buildNumber: result.buildNumber,
      buildId: predefined['Build.BuildId'],
      result: result.result,
      sourceVersion: predefined['Build.SourceVersion'],
      sourceBranch: predefined['Build.SourceBranch'],
    });
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
    for (const name of (await readdir(outputs.artifactsDir)).sort())
      lines.push(`artifact ${name}: ${outputs.display(join(outputs.artifactsDir, name))}/`);
  }
  if (existsSync(outputs.testResultsDir) && (await readdir(outputs.testResultsDir)).length > 0)
    lines.push(`test results: ${outputs.display(outputs.testResultsDir)}/`);
  if (lines.length > 0) io.stdout.write(masker.mask(lines.join('\n') + '\n'));
}

/** `outerloop run`: runs an azure-pipelines.yml on this machine. */
export const RUN_COMMAND: CliCommand = {
  name: 'run',
  summary: "run an azure-pipelines.yml on this machine, with outerloop's tasks and bash for scripts",
  usage: RUN_USAGE,
  run: runCommand,
};
