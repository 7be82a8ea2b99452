// Regenerates the golden files of full-YAML expansion (test/fixtures/run-expand/<case>/expected.yml)
// on purpose, as `outerloop run --expand` prints them. Review the diff before committing.
//
//   node -r ts-node/register/transpile-only scripts/regen-run-fixtures.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { expandPipelineFile } from '../src/run/parse';
import { FIXTURES } from '../test/support/paths';

const root = join(FIXTURES, 'run-expand');
for (const name of readdirSync(root)) {
  const dir = join(root, name);
  const text = readFileSync(join(dir, 'pipeline.yml'), 'utf8');
  const doc = expandPipelineFile(join(dir, 'pipeline.yml'), 'pipeline.yml', text, { repositoryRoot: dir, display: (p) => p.slice(dir.length + 1) });
  writeFileSync(join(dir, 'expected.yml'), dump(doc, { lineWidth: -1, noRefs: true }));
  console.log(`${name}: expected.yml written`);
}
