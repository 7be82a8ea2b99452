import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from '../support/paths';

/** The least-privilege Role the docs give users is the one the tests deploy with. */
describe('docs/tasks/compose-to-k8s.md', () => {
  it("documents exactly the Role the test bed's limited ServiceAccount has", () => {
    const script = readFileSync(join(ROOT, 'scripts', 'cluster.sh'), 'utf8');
    const heredoc = /limited_account\(\) \{\n\s+kubectl_admin apply -f - >\/dev\/null <<YAML\n([\s\S]*?)\nYAML\n/.exec(script);
    assert.ok(heredoc, 'scripts/cluster.sh has the limited account manifest');
    const roleOf = (yaml: string) => (loadAll(yaml) as Array<{ kind: string; rules?: unknown }>).find((o) => o.kind === 'Role')?.rules;
    const doc = readFileSync(join(ROOT, 'docs', 'tasks', 'compose-to-k8s.md'), 'utf8');
    const block = /## Least privilege[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc);
    assert.ok(block, 'the doc has the Role');
    const tested = roleOf(heredoc[1].replace(/\$LIMITED_NAMESPACE/g, 'ns').replace(/\$LIMITED_ACCOUNT/g, 'sa'));
    assert.ok(tested);
    assert.deepEqual(roleOf(block[1]), tested);
  });
});
