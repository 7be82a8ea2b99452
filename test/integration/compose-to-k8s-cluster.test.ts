import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';

/**
 * OPT-IN: ComposeToK8s@1 against a real cluster. No Kubernetes API server can run on the project's
 * machine, so this runs only when OUTERLOOP_TEST_KUBECONFIG names a kubeconfig (a throw-away
 * cluster: kind, k3d, minikube), and is not registered otherwise (CI included). It creates a namespace of its own
 * and deletes it afterwards. OUTERLOOP_TEST_CLUSTER_IMAGE (default busybox:1.36) must be pullable
 * by the cluster.
 */
const KUBECONFIG = process.env['OUTERLOOP_TEST_KUBECONFIG'];
const IMAGE = process.env['OUTERLOOP_TEST_CLUSTER_IMAGE'] ?? 'busybox:1.36';

// Registered only when a cluster is named, so a run without one reports no skipped tests.
(KUBECONFIG ? describe : () => undefined)('ComposeToK8s@1 against a real cluster (opt-in: OUTERLOOP_TEST_KUBECONFIG)', function () {
  const namespace = `outerloop-it-${randomBytes(4).toString('hex')}`;
  let variables: Record<string, string>;

  function kubectl(args: string[]): string {
    return execFileSync('kubectl', ['--kubeconfig', KUBECONFIG!, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async function deploy(command: string, inputs: Record<string, string> = {}) {
    const sources = variables['Build.SourcesDirectory'];
    await writeFile(join(sources, 'docker-compose.yml'), `name: outerloop-it\nservices:\n  api:\n    image: ${IMAGE}\n    command: ${JSON.stringify(['sh', '-c', command])}\n    ports:\n      - "8080:8080"\n`);
    return runVsixTask('compose-to-k8s', {
      inputs: { composeFiles: 'docker-compose.yml', kubeconfig: KUBECONFIG!, namespace, createNamespace: 'true', requirePinned: 'false', rolloutTimeout: '90', ...inputs },
      variables,
      cwd: sources,
    });
  }

  before(async function () {
    variables = await agentVariables();
  });

  after(async function () {
    if (variables) await rm(variables['Agent.WorkFolder'], { recursive: true, force: true });
    if (KUBECONFIG) {
      try {
        kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
      } catch {
        // the namespace was never created
      }
    }
  });

  it('deploys, waits for the rollout, and annotates what it applied', async () => {
    const run = await deploy('sleep 3600');
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const annotations = JSON.parse(kubectl(['get', 'deployment', 'api', '--namespace', namespace, '--output=jsonpath={.metadata.annotations}'])) as Record<string, string>;
    assert.equal(annotations['outerloop.io/build-number'], variables['Build.BuildNumber']);
    const managers = kubectl(['get', 'deployment', 'api', '--namespace', namespace, '--show-managed-fields', '--output=jsonpath={.metadata.managedFields[*].manager}']);
    assert.match(managers, /\bouterloop\b/);
  });

  it('a crashing release fails with the pod\'s reason and is rolled back to the working one', async () => {
    const run = await deploy('echo boom-from-the-pod; exit 3', { rolloutTimeout: '45' });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.message ?? '', /^deployment\/api did not roll out within 45 s .*; rolled back to the previous revision\.$/);
    assert.match(run.output, /boom-from-the-pod/);
    const command = kubectl(['get', 'deployment', 'api', '--namespace', namespace, '--output=jsonpath={.spec.template.spec.containers[0].args}']) + kubectl(['get', 'deployment', 'api', '--namespace', namespace, '--output=jsonpath={.spec.template.spec.containers[0].command}']);
    assert.match(command, /sleep 3600/, 'the template is the working one again');
  });
});
