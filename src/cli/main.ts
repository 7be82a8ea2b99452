import { OuterloopError, describeError } from '../common/errors';
import { OUTERLOOP_VERSION } from '../common/version';
import { configCommand } from './commands/config';
import { convertCommand } from './commands/convert';
import { messageLine, type CliCommand, type CliIo } from './io';
import { RUN_COMMAND } from './commands/run';

/** The commands `outerloop` knows, in the order `--help` lists them. Later features register here. */
export const COMMANDS: readonly CliCommand[] = [configCommand, convertCommand, RUN_COMMAND];

/** The top-level usage text. */
export function usage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const lines = [
    'outerloop: run the container outer loop (build, compose test, push with digests, deploy to Kubernetes) locally.',
    '',
    'Usage: outerloop <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    "  -h, --help     show this help (or a command's: outerloop <command> --help)",
    '  -v, --version  print the version',
  ];
  return lines.join('\n') + '\n';
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(usage(commands));
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${OUTERLOOP_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(messageLine(`outerloop: unknown command '${first}'. Run 'outerloop --help' for the list.`));
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof OuterloopError) {
      io.stderr.write(messageLine(`outerloop ${command.name}: ${err.message}`));
      return 1;
    }
    io.stderr.write(messageLine(`outerloop ${command.name}: internal error (please report it): ${describeError(err)}`));
    if (io.env['OUTERLOOP_DEBUG'] && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return 1;
  }
}
