// Regenerates the golden files on purpose: the converter's (test/fixtures/convert/<case>/expected*)
// and outerloop run's full-YAML expansion (test/fixtures/run-expand/<case>/expected.yml).
// Review the diff before committing: every change in it is a change users will see.
//
//   npm run regen-fixtures            all cases
//   npm run regen-fixtures -- CASE…   some cases (of either kind)
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONVERT_FIXTURES, listConvertFixtures, runConvertFixture } from '../test/support/convert-fixtures';
import { EXPAND_FIXTURES, listExpandFixtures, runExpandFixture } from '../test/support/expand-fixtures';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const expandCases = listExpandFixtures();
  for (const name of wanted.length ? wanted.filter((w) => expandCases.includes(w)) : expandCases) {
    writeFileSync(join(EXPAND_FIXTURES, name, 'expected.yml'), runExpandFixture(name));
    console.log(`${name}: expected.yml (outerloop run --expand)`);
  }
  for (const name of wanted.length ? wanted.filter((w) => !expandCases.includes(w)) : listConvertFixtures()) {
    const dir = join(CONVERT_FIXTURES, name);
    const outcome = await runConvertFixture(name);
    for (const file of ['expected.yaml', 'expected-warnings.txt', 'expected-error.txt']) rmSync(join(dir, file), { force: true });
    if (outcome.yaml !== undefined) writeFileSync(join(dir, 'expected.yaml'), outcome.yaml);
    if (outcome.warnings) writeFileSync(join(dir, 'expected-warnings.txt'), outcome.warnings);
    if (outcome.error !== undefined) writeFileSync(join(dir, 'expected-error.txt'), outcome.error);
    console.log(
      `${name}: ${outcome.error ? 'error' : `${outcome.yaml!.split('\n---\n').length} objects`}${outcome.warnings ? `, ${outcome.warnings.split('\n').length - 1} warnings` : ''}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
