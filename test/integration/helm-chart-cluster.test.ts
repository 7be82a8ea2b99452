import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OuterloopError } from '../../src/common/errors';
import { buildChart, writeChartFolder } from '../../src/k8s/chart/chart';
import { renderComposeProject, type RenderResult } from '../../src/k8s/convert';
import { findTestCluster, kubectl as clusterKubectl } from '../support/cluster';
import { fixtureRenderOptions, listConvertFixtures } from '../support/convert-fixtures';
import { runHelm } from '../support/helm';

/**
 * The chart of every golden fixture through `helm install --dry-run=server` against the test bed's
 * Kubernetes control plane (scripts/test-infra.sh up starts it): the API server admits every object
 * the chart renders. Without a control plane the suite fails under CI=true, and says why; elsewhere
 * it is reported as pending.
 */

const cluster = findTestCluster();

describe('Helm chart against the control plane: helm install --dry-run=server', function () {
  this.timeout(300_000);

  if (!cluster) {
    it("needs the test bed's control plane", function () {
      if (process.env['CI'] === 'true')
        assert.fail(
          "The test bed's Kubernetes control plane is not running (CI=true, so this fails instead of skipping): run 'scripts/test-infra.sh up'.",
        );
      this.skip();
    });
    return;
  }

  const namespace = `outerloop-helm-${randomBytes(4).toString('hex')}`;
  let work: string;
  let home: string;

  const kubectl = (args: string[]): Promise<string> => clusterKubectl(cluster, args);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'outerloop-chart-cluster-'));
    home = join(work, 'helm-home');
    await kubectl(['create', 'namespace', namespace]);
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']).catch(() => undefined);
  });

  for (const name of listConvertFixtures()) {
    it(`${name}: the API server admits the chart's objects (or the converter's error stands)`, async () => {
      let result: RenderResult;
      try {
        result = await renderComposeProject(await fixtureRenderOptions(name));
      } catch (err) {
        if (err instanceof OuterloopError) return;
        throw err;
      }
      const dir = join(work, name);
      await writeChartFolder(dir, buildChart(result).files);
      const release = `r-${name}`.slice(0, 53).replace(/-+$/, '');
      // The objects go to the test's namespace, whatever namespace the fixture converted for.
      const out = await runHelm(
        [
          'install',
          release,
          dir,
          '--dry-run=server',
          '--namespace',
          namespace,
          '--set',
          'namespaceOverride=',
          '--kubeconfig',
          cluster.kubeconfig,
        ],
        { home },
      );
      assert.equal(out.code, 0, `helm install --dry-run=server:\n${out.stderr}`);
      const kinds = result.objects.map((o) => `kind: ${o.kind}`);
      for (const kind of new Set(kinds)) assert.ok(out.stdout.includes(kind), `${kind} in the dry run's manifest`);
    });
  }
});
