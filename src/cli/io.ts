import { neutralizeLoggingCommands } from '../process/neutralize';

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** One `outerloop <name>` command. Returns the exit code. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full usage text for `outerloop <name> --help`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * One message as one line of the CLI's output: line breaks and control characters in the user
 * strings it quotes are shown escaped (`\n`), and `##vso[` is neutralized, since the CLI also runs
 * inside pipelines, where the agent would act on it.
 */
export function messageLine(message: string): string {
  const escaped = message.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${neutralizeLoggingCommands(escaped)}\n`;
}
