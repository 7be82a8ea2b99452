import { posix } from 'node:path';

/**
 * Labels for the classic builder. It turns each `--label` into a step of its own (a container
 * commit each, ~0.1 s), so the labels go into one LABEL line instead: appended to the Dockerfile
 * (sent on stdin) when that is safe, else in a second one-step build `FROM <image id>`.
 */

/** The escape character of a Dockerfile: its `# escape=` parser directive, else `\`. */
export function dockerfileEscape(text: string): string {
  for (const line of text.split(/\r?\n/)) {
    // Parser directives come first; the first line that is not one ends them.
    const m = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) return m[2];
  }
  return '\\';
}

/** Quotes a LABEL key or value: double quotes, with the escape character, `"` and `$` escaped. */
function quoteWord(text: string, escape: string): string {
  const special = new Set([escape, '"', '$']);
  return `"${[...text.replace(/\r?\n/g, ' ')].map((c) => (special.has(c) ? `${escape}${c}` : c)).join('')}"`;
}

/** One LABEL instruction that sets every label. */
export function labelInstruction(labels: ReadonlyArray<[string, string]>, escape = '\\'): string {
  return `LABEL ${labels.map(([k, v]) => `${quoteWord(k, escape)}=${quoteWord(v, escape)}`).join(' ')}`;
}

/**
 * The Dockerfile with one LABEL line appended to its last stage, or undefined when appending is
 * not safe: its last instruction ends in a line continuation, which would swallow the LABEL.
 */
export function appendLabels(dockerfile: string, labels: ReadonlyArray<[string, string]>): string | undefined {
  const escape = dockerfileEscape(dockerfile);
  const lines = dockerfile.split(/\r?\n/).map((l) => l.trimEnd());
  const last = [...lines].reverse().find((l) => l.trim() !== '' && !/^\s*#/.test(l));
  if (last === undefined || last.endsWith(escape)) return undefined;
  return `${dockerfile}${/\n$/.test(dockerfile) ? '' : '\n'}${labelInstruction(labels, escape)}\n`;
}

/** The Dockerfile of the separate label build: the built image plus one LABEL line. */
export function labelDockerfile(imageId: string, labels: ReadonlyArray<[string, string]>): string {
  return `FROM ${imageId}\n${labelInstruction(labels)}\n`;
}

/**
 * Whether docker leaves the build context as it is when the Dockerfile comes on stdin. It adds that
 * Dockerfile to the context under a random name and appends the name to the context's .dockerignore.
 * Without a .dockerignore it writes one that excludes itself, and so does nothing visible; but a
 * .dockerignore that does not exclude itself stays in the context with a line that changes on every
 * build, so every `COPY .` misses the cache and the image gets the altered file. `dockerignore` is
 * the context's .dockerignore, or undefined when it has none. Only a plain `.dockerignore` line with
 * no `!` exception after it counts as excluding itself.
 */
export function stdinKeepsContext(dockerignore: string | undefined): boolean {
  if (dockerignore === undefined) return true;
  // As docker reads the file: trimmed lines, `#` comments skipped, paths cleaned, leading `/` dropped.
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => (l.startsWith('!') ? l : posix.normalize(l).replace(/^\/+/, '')));
  const self = patterns.lastIndexOf('.dockerignore');
  return self >= 0 && !patterns.slice(self + 1).some((p) => p.startsWith('!'));
}
