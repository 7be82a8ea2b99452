import { readFile } from 'node:fs/promises';
import { FileError } from '../common/errors';
import { parseDotenv } from '../compose/dotenv';

/**
 * Parses ComposeTest's env file with the compose loader's dotenv parser: `NAME=value` lines, blank
 * lines and `#` comments, an optional `export ` prefix, Compose's quotes. Strict: a line that is not
 * `NAME=value` is an error, and values are literal (no `${VAR}` interpolation), like the
 * `environment` input. An error names the file and line, never the value (it may be a secret).
 */
export function parseEnvFile(text: string, file: string): Array<[string, string]> {
  return Object.entries(parseDotenv(text, file, { strict: true, interpolate: false }).values);
}

/** Reads and parses an env file; a missing file is a FileError naming it. */
export async function readEnvFile(file: string): Promise<Array<[string, string]>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(file, code === 'ENOENT' ? "does not exist (input 'envFile')." : `cannot be read (input 'envFile'): ${code ?? String(err)}.`);
  }
  return parseEnvFile(text, file);
}
