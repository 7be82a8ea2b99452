import { StringDecoder } from 'node:string_decoder';
import { LineNeutralizer, neutralizeLoggingCommands } from '../process/neutralize';

/**
 * The one way text reaches the agent from a task process. Once a stream is guarded, anything
 * written to it (console.log, a library's stray print, a future line nobody reviewed) is split
 * into lines with every `##vso[` neutralized; only the task library's own logging commands, written
 * through {@link GuardedStream.writeCommand}, pass as they are.
 */
export interface GuardedStream {
  /** Writes a logging command line the task itself issues (after any partial line is flushed). */
  writeCommand(text: string): boolean;
  /** Flushes a partial line (with a newline). */
  flush(): void;
  /** Puts the stream's own write back. */
  restore(): void;
}

/**
 * The task library's own commands carry data it did not write (an input's value in a debug line):
 * each line keeps its leading command, and any `##vso[` after it is neutralized.
 */
function keepFirstCommandOnly(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const at = line.search(/##vso\[/i);
      return at < 0 ? line : line.slice(0, at + 6) + neutralizeLoggingCommands(line.slice(at + 6));
    })
    .join('\n');
}

type Write = (
  chunk: string | Uint8Array,
  encodingOrCallback?: BufferEncoding | ((err?: Error | null) => void),
  callback?: (err?: Error | null) => void,
) => boolean;

/** Replaces `stream.write` with a neutralizing one; see {@link GuardedStream}. */
export function guardStream(stream: { write: Write }): GuardedStream {
  const own = stream.write;
  const hadOwn = Object.prototype.hasOwnProperty.call(stream, 'write');
  const original: Write = own.bind(stream);
  const decoder = new StringDecoder('utf8');
  const lines = new LineNeutralizer((text) => {
    original(text);
  });
  const guarded: Write = (chunk, encodingOrCallback, callback) => {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    lines.write(
      typeof chunk === 'string'
        ? encoding === 'utf8'
          ? chunk
          : Buffer.from(chunk, encoding).toString('utf8')
        : decoder.write(Buffer.from(chunk)),
    );
    if (done) process.nextTick(done);
    return true;
  };
  stream.write = guarded;
  return {
    writeCommand(text) {
      lines.end();
      return original(keepFirstCommandOnly(text));
    },
    flush: () => lines.end(),
    restore() {
      lines.end();
      if (hadOwn) stream.write = own;
      else delete (stream as { write?: Write }).write;
    },
  };
}
