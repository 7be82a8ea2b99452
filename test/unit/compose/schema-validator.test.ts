import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The Compose schema is compiled ahead of time (src/compose/schema/compile-validator.mjs): the committed
// validator must be what the vendored schema compiles to today.
describe('the precompiled Compose schema validator', () => {
  it('is up to date with src/compose/schema/compose-spec.json (else run node src/compose/schema/compile-validator.mjs)', async () => {
    const root = join(__dirname, '..', '..', '..');
    const script = pathToFileURL(join(root, 'src', 'compose', 'schema', 'compile-validator.mjs')).href;
    // A real dynamic import: ts-node would turn import() into require(), which cannot load an .mjs file.
    const load = new Function('u', 'return import(u)') as (u: string) => Promise<{ compileComposeSchema(): string }>;
    const { compileComposeSchema } = await load(script);
    const committed = readFileSync(join(root, 'src', 'compose', 'schema', 'compose-spec-validator.js'), 'utf8');
    assert.ok(
      committed === compileComposeSchema(),
      'src/compose/schema/compose-spec-validator.js is stale: run node src/compose/schema/compile-validator.mjs',
    );
  });
});
