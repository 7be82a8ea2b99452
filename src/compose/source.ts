/**
 * Which compose project to read: the one set of compose options that the loader, the converter,
 * the CLI and every task that reads compose files share, under the same names.
 */

/** The compose files of a project and what their `${VAR}`s, profiles and name come from. */
export interface ComposeSource {
  /**
   * Compose files in merge order, each absolute or relative to `workingDir`; empty: compose.yaml
   * (or compose.yml, docker-compose.yaml, docker-compose.yml) in `workingDir`, with its override.
   */
  readonly files: readonly string[];
  /** The folder relative paths (files, env files) start from. */
  readonly workingDir: string;
  /**
   * Variables for `${VAR}` interpolation; they win over the env files' values. Only these and the
   * env files: the reading machine's own environment is never consulted.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Env files for interpolation, in order; when absent, the project directory's `.env` (if any). */
  readonly envFiles?: readonly string[];
  /** Profiles to enable (`*` for all); when absent or empty, those of COMPOSE_PROFILES. */
  readonly profiles?: readonly string[];
  /** The project name; when absent, COMPOSE_PROJECT_NAME, else the files' `name:`, else the project folder's name. */
  readonly projectName?: string;
}
