import { readFile } from 'node:fs/promises';
import { FileError } from '../common/errors';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Parses an env file the way Compose reads one: `NAME=value` lines, blank lines and `#` comments
 * skipped, an optional `export ` prefix, and a value in matching single or double quotes unquoted.
 * An error names the file and line, never the value (it may be a secret).
 */
export function parseEnvFile(text: string, file: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    const name = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (eq < 0 || !NAME.test(name)) {
      throw new FileError(`${file}:${index + 1}`, `this line must be NAME=value${eq < 0 ? '' : `, and '${name}' is not a variable name`}.`);
    }
    let value = body.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
    pairs.push([name, value]);
  });
  return pairs;
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
