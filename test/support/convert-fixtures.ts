import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, OuterloopError } from '../../src/common/errors';
import { readDigestFile } from '../../src/digests/digest-file';
import { renderComposeProject, type RenderOptions } from '../../src/k8s/convert';
import { FIXTURES } from './paths';

/**
 * Golden fixtures of the converter: test/fixtures/convert/<case>/ holds compose.yaml (and any other
 * input), an optional options.json (RenderOptions fields, with the source's `composeFiles`, `environment` and
 * `profiles` beside them; `digests` names a digest file), and the
 * expected outcome: expected.yaml and expected-warnings.txt, or expected-error.txt.
 * scripts/regen-fixtures.ts rewrites the expected files on purpose; review the diff.
 */

/** The folder of the converter fixtures. */
export const CONVERT_FIXTURES = join(FIXTURES, 'convert');

/** One fixture's outcome, with the fixture folder written as '.' so it does not depend on the machine. */
export interface FixtureOutcome {
  yaml?: string;
  warnings: string;
  error?: string;
}

/** The fixture case folders, sorted. */
export function listConvertFixtures(): string[] {
  return readdirSync(CONVERT_FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The converter options of one fixture (its options.json, with the digest file it names read). */
export async function fixtureRenderOptions(name: string): Promise<RenderOptions> {
  const dir = join(CONVERT_FIXTURES, name);
  const optionsFile = join(dir, 'options.json');
  const raw = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as Record<string, unknown>) : {};
  // options.json names the compose files `composeFiles` and keeps the source's keys beside the converter's.
  const { composeFiles, environment, profiles, ...others } = raw as Partial<RenderOptions> & {
    composeFiles?: string[];
    environment?: Record<string, string>;
    profiles?: string[];
  };
  return {
    ...others,
    source: { files: composeFiles ?? ['compose.yaml'], workingDir: dir, environment: environment ?? {}, ...(profiles ? { profiles } : {}) },
    digests: typeof raw['digests'] === 'string' ? await readDigestFile(join(dir, raw['digests'])) : undefined,
  };
}

/** Renders one fixture. */
export async function runConvertFixture(name: string): Promise<FixtureOutcome> {
  const dir = join(CONVERT_FIXTURES, name);
  const relative = (text: string): string => text.split(dir).join('.');
  try {
    const result = await renderComposeProject(await fixtureRenderOptions(name));
    return { yaml: result.yaml, warnings: result.warnings.map((w) => relative(w) + '\n').join('') };
  } catch (err) {
    if (!(err instanceof OuterloopError)) throw err;
    return { warnings: '', error: relative(describeError(err)) + '\n' };
  }
}

/** The expected files of a fixture as they are on disk (undefined when absent). */
export function readExpected(name: string): FixtureOutcome {
  const dir = join(CONVERT_FIXTURES, name);
  const read = (file: string): string | undefined => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined);
  return { yaml: read('expected.yaml'), warnings: read('expected-warnings.txt') ?? '', error: read('expected-error.txt') };
}
