import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../../common/errors';
import type { ComposeSource } from '../../compose/source';
import type { CliIo } from '../io';

/**
 * The options `outerloop config` and `outerloop convert` share: which compose files, env files,
 * profiles and variables. Variables come from --env-file (else the project's .env) and --env;
 * the shell environment is read only with --shell-env, so that the converting machine's
 * environment never slips into manifests unasked.
 */

/** parseArgs options both commands accept. */
export const COMPOSE_OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  'env-file': { type: 'string', multiple: true },
  profile: { type: 'string', multiple: true },
  'project-name': { type: 'string', short: 'p' },
  env: { type: 'string', short: 'e', multiple: true },
  'shell-env': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Usage lines of the shared options. */
export const COMPOSE_OPTIONS_USAGE = [
  '  -f, --file FILE         compose file; repeat to merge several in order (default: compose.yaml, docker-compose.yml, … and its override)',
  '      --env-file FILE     env file for interpolation, repeatable (default: .env in the project directory)',
  '      --profile NAME      enable services of this profile, repeatable (* for all; default: COMPOSE_PROFILES)',
  '  -p, --project-name NAME project name (default: COMPOSE_PROJECT_NAME, the name: key, or the folder name)',
  '  -e, --env NAME=VALUE    set an interpolation variable, repeatable',
  '      --shell-env         also take variables from the shell environment, as docker compose does (off by default)',
];

/** Parses argv with the shared options and the command's own; unknown options are InputErrors. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(args: string[], own: T): Record<string, unknown> {
  try {
    return parseArgs({ args, options: { ...COMPOSE_OPTIONS, ...own }, allowPositionals: false, strict: true }).values as Record<
      string,
      unknown
    >;
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
    throw new InputError('arguments', `are not valid: ${message}. Run with --help for the options.`);
  }
}

/** The compose project the shared options name; relative paths start at the current directory. */
export function readComposeSource(values: Record<string, unknown>, io: CliIo): ComposeSource {
  const environment: Record<string, string> = {};
  if (values['shell-env'] === true) {
    for (const [name, value] of Object.entries(io.env)) if (value !== undefined) environment[name] = value;
  }
  for (const pair of (values['env'] as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InputError('--env', `'${pair}' must be NAME=VALUE.`);
    environment[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    files: (values['file'] as string[] | undefined) ?? [],
    workingDir: io.cwd,
    environment,
    profiles: (values['profile'] as string[] | undefined) ?? [],
    ...(values['env-file'] ? { envFiles: values['env-file'] as string[] } : {}),
    ...(typeof values['project-name'] === 'string' ? { projectName: values['project-name'] } : {}),
  };
}
