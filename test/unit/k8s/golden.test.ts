import { strict as assert } from 'node:assert';
import { listConvertFixtures, readExpected, runConvertFixture } from '../../support/convert-fixtures';

// Golden fixtures: test/fixtures/convert/<case>/ → expected.yaml + expected-warnings.txt, or
// expected-error.txt. `npm run regen-fixtures` rewrites them on purpose.
describe('compose → Kubernetes golden fixtures', () => {
  const cases = listConvertFixtures();

  it('has a case for every rule', () => {
    assert.ok(cases.length >= 20, `only ${cases.length} cases`);
  });

  for (const name of cases) {
    it(name, async () => {
      const expected = readExpected(name);
      const actual = await runConvertFixture(name);
      assert.ok(
        expected.yaml !== undefined || expected.error !== undefined,
        `${name} has no expected.yaml or expected-error.txt: run npm run regen-fixtures -- ${name}`,
      );
      assert.equal(actual.error, expected.error, 'error');
      assert.equal(actual.yaml, expected.yaml, 'manifests');
      assert.equal(actual.warnings, expected.warnings, 'warnings');
    });
  }

  it('renders byte-identical output on a second run', async () => {
    for (const name of cases) {
      const [a, b] = [await runConvertFixture(name), await runConvertFixture(name)];
      assert.equal(a.yaml, b.yaml, name);
    }
  });
});
