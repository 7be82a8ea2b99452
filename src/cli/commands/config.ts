import { dump } from 'js-yaml';
import { InputError } from '../../common/errors';
import { loadComposeProject } from '../../compose/load';
import type { ComposeProject } from '../../compose/model';
import { messageLine, type CliCommand, type CliIo } from '../io';
import { COMPOSE_OPTIONS_USAGE, parseCommandArgs, readComposeSource } from './compose-options';

/** `outerloop config`: prints the normalized compose model, like `docker compose config`. */

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The model as printed: secret values are never shown. */
export function printableProject(project: ComposeProject): ComposeProject {
  const secrets: ComposeProject['secrets'] = {};
  for (const [name, secret] of Object.entries(project.secrets))
    secrets[name] = secret.content === undefined ? secret : { ...secret, content: '(hidden)' };
  return { ...project, secrets };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs(args, { format: { type: 'string' } });
  const format = (values['format'] as string | undefined) ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw new InputError('--format', `must be yaml or json, not '${format}'.`);
  const loaded = loadComposeProject(readComposeSource(values, io));
  for (const warning of loaded.warnings) io.stderr.write(messageLine(`warning: ${warning}`));
  const project = printableProject(loaded.project);
  io.stdout.write(
    format === 'json' ? JSON.stringify(project, null, 2) + '\n' : dump(project, { sortKeys: compareKeys, lineWidth: -1, noRefs: true }),
  );
  return 0;
}

/** The `config` command. */
export const configCommand: CliCommand = {
  name: 'config',
  summary: 'print the merged, interpolated and normalized compose model',
  usage: [
    'Usage: outerloop config [options]',
    '',
    'Loads the compose files (merge, interpolation, extends, include, profiles, schema validation) and',
    'prints the normalized model. Warnings go to stderr.',
    '',
    'Options:',
    ...COMPOSE_OPTIONS_USAGE,
    '      --format yaml|json  output format (default yaml)',
    '',
  ].join('\n'),
  run,
};
