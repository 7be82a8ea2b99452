import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../../common/errors';

/** The parts of a task.json that running a task needs. */
export interface TaskManifest {
  id: string;
  name: string;
  friendlyName?: string;
  /** The default display name of a step, with `$(input)` macros (e.g. `Compose test $(composeFiles)`). */
  instanceNameFormat?: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: TaskInputDefinition[];
  outputVariables?: Array<{ name: string; description?: string }>;
  execution: Record<string, { target: string; argumentFormat?: string }>;
}

/** One input of a task.json. */
export interface TaskInputDefinition {
  name: string;
  type: string;
  label: string;
  defaultValue?: string;
  required?: boolean;
  helpMarkDown?: string;
  options?: Record<string, string>;
  aliases?: string[];
  groupName?: string;
  visibleRule?: string;
}

/** Reads and checks `<taskDir>/task.json`. */
export async function readTaskManifest(taskDir: string): Promise<TaskManifest> {
  const file = join(taskDir, 'task.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FileError(file, 'no task.json here.');
  }
  let manifest: TaskManifest;
  try {
    manifest = JSON.parse(text) as TaskManifest;
  } catch (err) {
    throw new FileError(file, `not valid JSON (${(err as Error).message}).`);
  }
  if (!manifest.name || !manifest.execution || !Array.isArray(manifest.inputs)) {
    throw new FileError(file, 'not a task manifest: name, inputs and execution are required.');
  }
  return manifest;
}

/** The node handler's entry script (Node24 preferred, as a current agent would pick it). */
export function taskEntryPoint(taskDir: string, manifest: TaskManifest): string {
  for (const handler of ['Node24', 'Node20_1', 'Node16', 'Node10']) {
    const target = manifest.execution[handler]?.target;
    if (target) return join(taskDir, target);
  }
  throw new FileError(join(taskDir, 'task.json'), 'has no Node execution handler.');
}
