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
