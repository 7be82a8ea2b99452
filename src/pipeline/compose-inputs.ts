import { InputError } from '../common/errors';
import { PROJECT_NAME } from '../compose/project-name';
import type { ComposeSource } from '../compose/source';
import type { InputReader } from './inputs';

/**
 * The compose inputs every task that reads compose files has, under the same names and rules:
 * `composeFiles` (one per line, merged in order), `environment` (`NAME=value` lines, winning over
 * the env file), `envFile`, `profiles` and `projectName`. Relative paths start at `workingDir`.
 * `required` is the hint of a task that cannot do without compose files; without it, none given
 * means an empty `files`.
 */
export function readComposeSource(reader: InputReader, options: { workingDir: string; required?: string }): ComposeSource {
  const files = reader.pathList('composeFiles');
  if (files.length === 0 && options.required) throw new InputError('composeFiles', `is required: ${options.required}`);
  const envFile = reader.optionalPath('envFile', options.workingDir);
  const projectName = reader.string('projectName');
  if (projectName !== undefined) validateProjectName(projectName);
  return {
    files,
    workingDir: options.workingDir,
    environment: Object.fromEntries(reader.keyValues('environment')),
    ...(envFile ? { envFiles: [envFile] } : {}),
    profiles: reader.list('profiles'),
    ...(projectName !== undefined ? { projectName } : {}),
  };
}

/** Rejects a project name Compose would change or refuse (so the name we report is the one used). */
export function validateProjectName(name: string): void {
  if (!PROJECT_NAME.test(name)) {
    throw new InputError('projectName', `must be lower-case letters, digits, '-' and '_', starting with a letter or digit, not '${name}'.`);
  }
}
