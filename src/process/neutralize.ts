/**
 * Tool output is untrusted: a line a child process prints must never be read by the agent as a
 * logging command. The agent acts on `##vso[` anywhere in a line (case-insensitively), so every
 * occurrence is rewritten. The text stays readable in the log.
 */
const LOGGING_COMMAND = /##vso\[/gi;

/** Rewrites every `##vso[` in `text` so that the agent cannot act on it. */
export function neutralizeLoggingCommands(text: string): string {
  return text.replace(LOGGING_COMMAND, (m) => `##~${m.slice(2)}`);
}

/**
 * Splits a byte stream into whole lines and hands each one, neutralized, to `emit`. A command split
 * across two chunks is still caught because nothing is emitted before its line is complete.
 */
export class LineNeutralizer {
  private pending = '';

  constructor(private readonly emit: (line: string) => void) {}

  /** Feeds a chunk; emits every line it completes (each with its `\n`). */
  write(chunk: string): void {
    const text = this.pending + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      this.pending = text;
      return;
    }
    this.pending = text.slice(lastNewline + 1);
    this.emit(neutralizeLoggingCommands(text.slice(0, lastNewline + 1)));
  }

  /** Emits what is left (a last line without a newline gets one). */
  end(): void {
    if (this.pending) this.emit(neutralizeLoggingCommands(this.pending) + '\n');
    this.pending = '';
  }
}
