// Regenerates the converter's golden files (test/fixtures/convert/<case>/expected*) on purpose.
// Review the diff before committing: every change in it is a change users will see.
//
//   npm run regen-fixtures            all cases
//   npm run regen-fixtures -- CASE…   some cases
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONVERT_FIXTURES, listConvertFixtures, runConvertFixture } from '../test/support/convert-fixtures';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted.length ? wanted : listConvertFixtures()) {
    const dir = join(CONVERT_FIXTURES, name);
    const outcome = await runConvertFixture(name);
    for (const file of ['expected.yaml', 'expected-warnings.txt', 'expected-error.txt']) rmSync(join(dir, file), { force: true });
    if (outcome.yaml !== undefined) writeFileSync(join(dir, 'expected.yaml'), outcome.yaml);
    if (outcome.warnings) writeFileSync(join(dir, 'expected-warnings.txt'), outcome.warnings);
    if (outcome.error !== undefined) writeFileSync(join(dir, 'expected-error.txt'), outcome.error);
    console.log(`${name}: ${outcome.error ? 'error' : `${outcome.yaml!.split('\n---\n').length} objects`}${outcome.warnings ? `, ${outcome.warnings.split('\n').length - 1} warnings` : ''}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
