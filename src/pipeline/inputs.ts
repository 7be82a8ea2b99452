import { resolve } from 'node:path';
import { InputError } from '../common/errors';
import type { PipelineVariables, ServiceEndpoint, TaskEnvironment } from './interfaces';

/**
 * Typed access to task inputs. Each task's `read…Inputs()` uses one of these and nothing else
 * reads inputs. Every failure is an {@link InputError} that names the input.
 */
export class InputReader {
  constructor(readonly env: TaskEnvironment) {}

  /** A string input; undefined when empty and not required. */
  string(name: string, options: { required: true; hint?: string }): string;
  string(name: string, options?: { required?: false; default?: string }): string | undefined;
  string(name: string, options: { required?: boolean; default?: string; hint?: string } = {}): string | undefined {
    const value = this.env.input(name)?.trim();
    if (value !== undefined) return value;
    if (options.required) throw new InputError(name, `is required${options.hint ? `: ${options.hint}` : ''}.`);
    return options.default;
  }

  /** A boolean input: true/false (any case); anything else is an error. */
  boolean(name: string, defaultValue: boolean): boolean {
    return parseBooleanInput(name, this.env.input(name), defaultValue);
  }

  /** A whole-number input within [min, max]. */
  integer(name: string, defaultValue: number, range: { min?: number; max?: number } = {}): number {
    return parseIntegerInput(name, this.env.input(name), defaultValue, range);
  }

  /** One of `allowed` (compared case-insensitively, returned as spelled in `allowed`). */
  pick<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T {
    return parsePickInput(name, this.env.input(name), allowed, defaultValue);
  }

  /** A multi-line or comma-separated list, trimmed, empty entries dropped. */
  list(name: string, options: { commas?: boolean } = {}): string[] {
    return splitListInput(this.env.input(name), options.commas ?? true);
  }

  /** `NAME=value` lines (blank lines and `#` comments skipped), in order. */
  keyValues(name: string): Array<[string, string]> {
    return parseKeyValueInput(name, this.env.input(name));
  }

  /**
   * An optional filePath input, absolute (a relative value starts at `base`), or undefined when empty.
   * The agent hands an empty filePath input over as the job's folder itself
   * (System.DefaultWorkingDirectory or Build.SourcesDirectory), so exactly that value counts as
   * empty too (compared as written, so `.` or `<folder>/.` still mean that folder). An unexpanded
   * `$(variable)` is an error, not a file name.
   */
  optionalPath(name: string, base: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    rejectMacro(name, value);
    const roots = ['System.DefaultWorkingDirectory', 'Build.SourcesDirectory'].map((v) => this.variable(v));
    if (roots.some((root) => root !== undefined && trimSeparators(root) === trimSeparators(value))) return undefined;
    return resolve(base, value);
  }

  /** A path input, absolute (a relative value starts at `base`), `defaultValue` when empty; see {@link optionalPath}. */
  path(name: string, base: string, defaultValue: string): string {
    return this.optionalPath(name, base) ?? resolve(base, defaultValue);
  }

  /** A multi-line list of paths, one per line, as written (relative ones start where the caller says); no unexpanded `$(variable)`. */
  pathList(name: string): string[] {
    const paths = this.list(name, { commas: false });
    for (const path of paths) rejectMacro(name, path);
    return paths;
  }

  /**
   * The folder a task's relative paths start from: System.DefaultWorkingDirectory, else
   * Build.SourcesDirectory, else the current folder (a local run).
   */
  workingDirectory(): string {
    return this.variable('System.DefaultWorkingDirectory') ?? this.variable('Build.SourcesDirectory') ?? process.cwd();
  }

  /** An artifact name input, or undefined when empty: none of the characters artifact names may not hold. */
  artifactName(name: string): string | undefined {
    const value = this.string(name);
    if (value !== undefined && ARTIFACT_NAME_FORBIDDEN.test(value)) {
      throw new InputError(name, `must be an artifact name, without any of " / \\ : < > | * ?, not '${value}'.`);
    }
    return value;
  }

  /** A pipeline variable, or undefined. */
  variable(name: string): string | undefined {
    return this.env.variable(name);
  }

  /** The pipeline variables tasks read: the one place they are read, under one set of names. */
  pipelineVariables(): PipelineVariables {
    const v = (name: string): string | undefined => this.variable(name);
    const all: PipelineVariables = {
      buildNumber: v('Build.BuildNumber'),
      buildId: v('Build.BuildId'),
      buildUri: v('Build.BuildUri'),
      definitionName: v('Build.DefinitionName'),
      sourceBranch: v('Build.SourceBranch'),
      sourceVersion: v('Build.SourceVersion'),
      reason: v('Build.Reason'),
      pullRequestNumber: v('System.PullRequest.PullRequestNumber') ?? v('System.PullRequest.PullRequestId'),
      repositoryName: v('Build.Repository.Name'),
      repositoryUri: v('Build.Repository.Uri'),
      collectionUri: v('System.CollectionUri'),
      teamProject: v('System.TeamProject'),
      jobId: v('System.JobId'),
      releaseWebUrl: v('Release.ReleaseWebURL'),
    };
    // Only the variables this job has: a local run has none of them.
    return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
  }

  /** The service connection an input names, or undefined when the input is empty. */
  endpoint(name: string): ServiceEndpoint | undefined {
    const id = this.string(name);
    if (id === undefined) return undefined;
    const endpoint = this.env.endpoint(id);
    if (!endpoint)
      throw new InputError(
        name,
        `names service connection '${id}', which this job cannot see; check the connection's name and that the pipeline is authorized to use it.`,
      );
    return endpoint;
  }
}

/** Parses a boolean input value. */
export function parseBooleanInput(name: string, raw: string | undefined, defaultValue: boolean): boolean {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return defaultValue;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(name, `must be true or false, not '${raw?.trim()}'.`);
}

/** Parses a whole-number input value within an optional range. */
export function parseIntegerInput(
  name: string,
  raw: string | undefined,
  defaultValue: number,
  range: { min?: number; max?: number } = {},
): number {
  const value = raw?.trim();
  if (value === undefined || value === '') return defaultValue;
  if (!/^-?\d+$/.test(value)) throw new InputError(name, `must be a whole number, not '${value}'.`);
  const n = Number(value);
  if (range.min !== undefined && n < range.min) throw new InputError(name, `must be at least ${range.min}, not ${n}.`);
  if (range.max !== undefined && n > range.max) throw new InputError(name, `must be at most ${range.max}, not ${n}.`);
  return n;
}

/** Parses a pick-list input value. */
export function parsePickInput<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], defaultValue: T): T {
  const value = raw?.trim();
  if (value === undefined || value === '') return defaultValue;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw new InputError(name, `must be one of ${allowed.join(', ')}, not '${value}'.`);
  return match;
}

/** Splits a multi-line (and, when `commas`, comma-separated) input into trimmed, non-empty entries. */
export function splitListInput(raw: string | undefined, commas = true): string[] {
  if (!raw) return [];
  return raw
    .split(commas ? /[\r\n,]+/ : /\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses `NAME=value` lines; the error names the input and the line. */
export function parseKeyValueInput(name: string, raw: string | undefined): Array<[string, string]> {
  if (!raw) return [];
  const pairs: Array<[string, string]> = [];
  raw.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    const key = eq < 0 ? trimmed : trimmed.slice(0, eq).trim();
    if (eq < 0 || !VARIABLE_NAME.test(key)) {
      // Never echo the line: a malformed one may still hold a secret value.
      const why = eq < 0 ? '' : key === '' ? ', and it has no name before the =' : `, and '${key}' is not a variable name`;
      throw new InputError(name, `line ${index + 1} must be NAME=value${why}.`);
    }
    pairs.push([key, trimmed.slice(eq + 1).trim()]);
  });
  return pairs;
}

/** Characters an artifact name may not hold. */
const ARTIFACT_NAME_FORBIDDEN = /["/\\:<>|*?]/;

/** An input that still holds `$(name)` names a variable the job does not define: say so, rather than use it as a file name. */
function rejectMacro(name: string, value: string): void {
  const macro = /\$\(([^)]+)\)/.exec(value);
  if (macro) throw new InputError(name, `holds '${macro[0]}', a variable this job does not define.`);
}

function trimSeparators(path: string): string {
  return path.replace(/[\\/]+$/, '');
}
