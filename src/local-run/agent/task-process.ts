import { spawn, type ChildProcess } from 'node:child_process';
import { parseLoggingCommand, type LoggingCommand } from './logging-commands';
import { readTaskManifest, taskEntryPoint, type TaskManifest } from './task-manifest';
import { expandMacros } from './macros';

/** A service connection handed to a task, as the agent hands it. */
export interface EndpointSpec {
  id: string;
  url: string;
  scheme: string;
  parameters: Record<string, string>;
  data?: Record<string, string>;
}

/** Everything the agent gives a task process. */
export interface TaskRunSpec {
  /** The folder with task.json and the bundle (e.g. an unpacked .vsix's `tasks/push-digest`). */
  taskDir: string;
  /** Inputs by task.json name or alias; values may hold `$(macros)`. Missing ones get task.json defaults. */
  inputs?: Record<string, string>;
  /** Pipeline variables (`Build.BuildNumber`), exported as the agent exports them. */
  variables?: Record<string, string>;
  /** Secret variables: exported as SECRET_<NAME> and never as plain variables. */
  secrets?: Record<string, string>;
  endpoints?: EndpointSpec[];
  cwd?: string;
  /** The environment the task starts from (default: this process's, less agent variables). */
  baseEnv?: NodeJS.ProcessEnv;
  /** The node binary (default: the one running this code). */
  node?: string;
  /** Called with each output line as it arrives. */
  onLine?: (line: string) => void;
}

/** How a task run ended, read from its logging commands. */
export interface TaskRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** `Succeeded`, `SucceededWithIssues`, `Failed`, `Cancelled`, `Skipped`, or undefined when the task never said. */
  result?: string;
  /** The message of the task.complete command. */
  message?: string;
  /** All output, stdout and stderr interleaved as they arrived. */
  output: string;
  commands: LoggingCommand[];
  /** Variables the task set with isOutput=true. */
  outputs: Record<string, string>;
  /** Every variable the task set (isOutput or not). */
  variables: Record<string, string>;
  /** Values the task registered as secrets. */
  secrets: string[];
}

/** The environment name the agent uses for a variable: upper-case, `.` and space as `_`. */
export function variableEnvName(name: string): string {
  return name.replace(/[.\s]/g, '_').toUpperCase();
}

/** The environment variable names the agent uses for inputs. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/\s/g, '_').toUpperCase()}`;
}

const AGENT_PREFIXES = /^(INPUT_|SECRET_|ENDPOINT_|SECUREFILE_|VSTS_TASKVARIABLE_)/i;

/**
 * The environment the agent starts any step from: `baseEnv` less its own agent variables (inputs,
 * secrets and endpoints of some outer run), plus each pipeline variable under its agent name.
 * Secrets are not in it: a task gets them from {@link buildTaskEnv}, a script only through `env:`.
 */
export function agentEnvironment(baseEnv: NodeJS.ProcessEnv, variables: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(baseEnv)) if (!AGENT_PREFIXES.test(k)) env[k] = v;
  for (const [name, value] of Object.entries(variables)) env[variableEnvName(name)] = value;
  return env;
}

/** Builds the task's environment exactly as the agent would. */
export function buildTaskEnv(spec: TaskRunSpec, manifest: TaskManifest): NodeJS.ProcessEnv {
  const variables = spec.variables ?? {};
  const secrets = spec.secrets ?? {};
  const env = agentEnvironment(spec.baseEnv ?? process.env, variables);
  for (const [name, value] of Object.entries(secrets)) env[`SECRET_${variableEnvName(name)}`] = value;
  const lookup = (name: string): string | undefined => {
    const key = Object.keys(secrets).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) return secrets[key];
    const vkey = Object.keys(variables).find((k) => k.toLowerCase() === name.toLowerCase());
    return vkey === undefined ? undefined : variables[vkey];
  };
  const given = spec.inputs ?? {};
  for (const input of manifest.inputs) {
    const names = [input.name, ...(input.aliases ?? [])];
    const key = Object.keys(given).find((k) => names.some((n) => n.toLowerCase() === k.toLowerCase()));
    const value = key !== undefined ? given[key] : input.defaultValue;
    if (value !== undefined && value !== '') env[inputEnvName(input.name)] = expandMacros(value, lookup);
  }
  for (const e of spec.endpoints ?? []) {
    const id = e.id; // the agent keeps the id's case, and the library looks it up case-sensitively
    env[`ENDPOINT_URL_${id}`] = e.url;
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ scheme: e.scheme, parameters: e.parameters });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = e.scheme;
    for (const [k, v] of Object.entries(e.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(e.data ?? {})) env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  }
  return env;
}

/** A started task process. */
export interface StartedTask {
  child: ChildProcess;
  done: Promise<TaskRun>;
}

/** Starts a bundled task as a child node process, the way the agent's Node handler does. */
export async function startTask(spec: TaskRunSpec): Promise<StartedTask> {
  const manifest = await readTaskManifest(spec.taskDir);
  const entry = taskEntryPoint(spec.taskDir, manifest);
  const child = spawn(spec.node ?? process.execPath, [entry], {
    cwd: spec.cwd ?? spec.taskDir,
    env: buildTaskEnv(spec, manifest),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<TaskRun>((resolve, reject) => {
    const run: TaskRun = { exitCode: null, signal: null, output: '', commands: [], outputs: {}, variables: {}, secrets: [] };
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const text = pending + chunk.toString('utf8');
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) consume(run, line + '\n', spec.onLine);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending) consume(run, pending, spec.onLine);
      run.exitCode = code;
      run.signal = signal;
      resolve(run);
    });
  });
  return { child, done };
}

/** Runs a task to its end. */
export async function runTaskProcess(spec: TaskRunSpec): Promise<TaskRun> {
  const started = await startTask(spec);
  return started.done;
}

function consume(run: TaskRun, line: string, onLine?: (line: string) => void): void {
  run.output += line;
  onLine?.(line);
  const command = parseLoggingCommand(line);
  if (!command) return;
  run.commands.push(command);
  const p = command.properties;
  switch (command.command) {
    case 'task.complete':
      run.result = p['result'];
      run.message = command.message;
      break;
    case 'task.setvariable':
      if (p['variable'] !== undefined) {
        run.variables[p['variable']] = command.message;
        if (p['isoutput'] === 'true') run.outputs[p['variable']] = command.message;
        if (p['issecret'] === 'true' && command.message) run.secrets.push(command.message);
      }
      break;
    case 'task.setsecret':
      if (command.message) run.secrets.push(command.message);
      break;
  }
}
