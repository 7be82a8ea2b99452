import { readBoundedFile } from '../common/fs';
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

/**
 * Reads and parses an env file; a missing file, or one that is not a regular file of at most the
 * size cap (`/dev/zero`, a FIFO), is a FileError naming it.
 */
export async function readEnvFile(file: string): Promise<Array<[string, string]>> {
  const text = (await readBoundedFile(file, "env file (input 'envFile')")).toString('utf8');
  return parseEnvFile(text, file);
}
