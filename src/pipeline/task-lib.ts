import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { neutralizeLoggingCommands } from '../process/neutralize';
import { guardStream } from './agent-stream';
import type { PipelineOutput, ServiceEndpoint, TaskEnvironment, TestResultsFormat } from './interfaces';

/**
 * The real agent, through azure-pipelines-task-lib. Only task entry points import this module:
 * the library prints `##vso[task.debug]` lines as soon as it loads, which the CLI must not.
 */
export class TaskLibEnvironment implements TaskEnvironment {
  input(name: string): string | undefined {
    const value = tl.getInput(name, false);
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  variable(name: string): string | undefined {
    const value = tl.getVariable(name);
    return value === undefined || value === '' ? undefined : value;
  }

  endpoint(id: string): ServiceEndpoint | undefined {
    const url = tl.getEndpointUrl(id, true);
    const authorization = tl.getEndpointAuthorization(id, true);
    if (url === undefined && authorization === undefined) return undefined;
    return {
      id,
      url: url ?? '',
      scheme: authorization?.scheme ?? '',
      auth: lowerKeys(authorization?.parameters ?? {}),
      data: lowerKeys(readEndpointData(id)),
    };
  }
}

/** Endpoint data arrives as ENDPOINT_DATA_<ID>_<KEY> variables; the library has no call that lists them. */
function readEndpointData(id: string): Record<string, string> {
  const prefix = `ENDPOINT_DATA_${id}_`.toUpperCase();
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toUpperCase().startsWith(prefix) && value !== undefined) data[key.slice(prefix.length)] = value;
  }
  return data;
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[key.toLowerCase()] = value;
  return out;
}

/**
 * Guards the process's stdout and stderr (see guardStream): from here on, only the task library's
 * logging commands reach the agent as commands; every other line is neutralized, whoever prints it.
 */
export function guardAgentStreams(): void {
  const stdout = guardStream(process.stdout as unknown as Parameters<typeof guardStream>[0]);
  guardStream(process.stderr as unknown as Parameters<typeof guardStream>[0]);
  tl.setStdStream({ write: (text: string) => stdout.writeCommand(text) });
  process.once('exit', () => stdout.flush());
}

/** Agent output through the library's logging commands; every message is neutralized first. */
export class TaskLibOutput implements PipelineOutput {
  private attachmentsDir?: string;

  info(message: string): void {
    console.log(neutralizeLoggingCommands(message));
  }

  warning(message: string): void {
    tl.warning(neutralizeLoggingCommands(message));
  }

  debug(message: string): void {
    tl.debug(neutralizeLoggingCommands(message));
  }

  setSecret(value: string): void {
    if (value) tl.setSecret(value);
  }

  setOutput(name: string, value: string): void {
    tl.setVariable(name, value, false, true);
  }

  uploadArtifact(artifactName: string, path: string): void {
    tl.uploadArtifact(artifactName, path, artifactName);
  }

  publishTestResults(format: TestResultsFormat, files: readonly string[], title: string): void {
    if (files.length === 0) return;
    tl.command(
      'results.publish',
      { type: format, mergeResults: 'true', publishRunAttachments: 'true', resultFiles: files.join(','), testRunTitle: title },
      '',
    );
  }

  uploadSummary(title: string, markdown: string): void {
    const path = this.writeAttachment(`${title}.md`, markdown);
    if (path) tl.uploadSummary(path);
  }

  addAttachment(type: string, name: string, content: string): void {
    const path = this.writeAttachment(`${name}.json`, content);
    if (path) tl.addAttachment(type, name, path);
  }

  /**
   * Writes an attachment's file under Agent.TempDirectory, which the agent empties after the job:
   * it uploads the file after the command, so the file must outlive the task. A file that cannot
   * be written costs a warning, never the task.
   */
  private writeAttachment(fileName: string, content: string): string | undefined {
    try {
      this.attachmentsDir ??= mkdtempSync(join(tl.getVariable('Agent.TempDirectory') || tmpdir(), 'outerloop-attachments-'));
      const path = join(this.attachmentsDir, fileName.replace(/[^A-Za-z0-9_.-]/g, '_'));
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    } catch (err) {
      tl.warning(`Could not write the run summary file ${fileName}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** Ends the task: the one place a result is set. */
export function completeTask(failed: boolean, message: string): void {
  tl.setResult(failed ? tl.TaskResult.Failed : tl.TaskResult.Succeeded, neutralizeLoggingCommands(message), true);
}
