/**
 * The resource limits of reading and converting what users give (compose files and everything they
 * name). They are all here, documented in docs/security.md, so that an adversarial input ends in
 * one sentence instead of a hang or an exhausted machine.
 */

/** The largest file read: compose files, `.env` and env files, label files, secrets, configs, includes, digest files, kubeconfigs. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** The most characters one variable may reach through dotenv expansion (`B=${A}${A}` doubling). */
export const MAX_EXPANDED_VALUE_CHARS = 1024 * 1024;

/** The most characters all of a dotenv file's values may reach together after expansion. */
export const MAX_EXPANDED_TOTAL_CHARS = 16 * 1024 * 1024;

/** The deepest nesting of `${A:-${B:-…}}` interpolation. */
export const MAX_INTERPOLATION_DEPTH = 64;

/**
 * The most services a project may have. Converting is linear but not free (three hundred thousand
 * services fit in a file under the size cap); no app deployed from one compose file comes near this.
 */
export const MAX_SERVICES = 10_000;

/** How a byte count reads in a message: `8 MiB`, `12.5 MiB`, `900 KiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}
