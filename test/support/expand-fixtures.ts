import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandPipelineFile } from '../../src/local-run/parse-pipeline';
import { printExpandedPipeline } from '../../src/local-run/template-expand';
import { FIXTURES } from './paths';

/** Golden fixtures of full-YAML expansion: `<case>/pipeline.yml` (and its templates) beside `expected.yml`. */
export const EXPAND_FIXTURES = join(FIXTURES, 'run-expand');

/** The cases, by folder name. */
export function listExpandFixtures(): string[] {
  return readdirSync(EXPAND_FIXTURES).sort();
}

/** What `outerloop run pipeline.yml --expand` prints for a case (the case folder is the repository root). */
export function runExpandFixture(name: string): string {
  const dir = join(EXPAND_FIXTURES, name);
  const text = readFileSync(join(dir, 'pipeline.yml'), 'utf8');
  return printExpandedPipeline(
    expandPipelineFile(join(dir, 'pipeline.yml'), 'pipeline.yml', text, { repositoryRoot: dir, display: (p) => p.slice(dir.length + 1) }),
  );
}
