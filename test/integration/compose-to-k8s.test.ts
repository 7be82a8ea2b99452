import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { writeDigestFile } from '../../src/digests/digest-file';
import { NodeProcessRunner } from '../../src/process/runner';
import { deleteNamespaces, getJson, requireTestCluster, type TestCluster } from '../support/cluster';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';
import { requireTestBed, type TestBed } from '../support/testbed';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec: { containers: Array<{ image: string }>; imagePullSecrets?: Array<{ name: string }> };
    };
  };
  data?: Record<string, string>;
}

const REGISTRY_ID = '00000000-0000-4000-8000-000000005001';

/**
 * ComposeToK8s@1 end to end on the test bed: an image built and pushed to the real registry, its
 * digest file, real compose files, the task from the .vsix. Render needs no cluster; deploy goes to
 * the test bed's control plane, and the pull Secret it applied is tried against the real htpasswd registry.
 */
describe('ComposeToK8s@1 on the test bed (real engine and registries; needs the converter, issue 6)', function () {
  let bed: TestBed;
  let cluster: TestCluster | undefined;
  const namespace = `outerloop-it-k8s-${randomBytes(3).toString('hex')}`;
  const runner = new NodeProcessRunner({ write: () => undefined });
  const suffix = randomBytes(4).toString('hex');
  const repo = () => `${bed.registry}/outerloop-k8s-it-${suffix}/api`;
  const tag = '20261122.7';
  let digest = '';
  let variables: Record<string, string>;
  let sources = '';

  async function docker(args: string[]): Promise<string> {
    const r = await runner.exec('docker', args, { env: bed.env, quiet: true, noEcho: true });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  before(async function () {
    bed = requireTestBed(this);
    variables = await agentVariables();
    sources = variables['Build.SourcesDirectory'];
    await mkdir(join(sources, 'api'), { recursive: true });
    await writeFile(join(sources, 'api', 'Dockerfile'), `FROM ${bed.baseImage}\nLABEL outerloop.test=${suffix}\nCMD ["sleep", "3600"]\n`);
    await writeFile(
      join(sources, 'docker-compose.yml'),
      `name: k8s-it-${suffix}\nservices:\n  api:\n    build: ./api\n    image: ${repo()}:\${TAG}\n    init: true\n    ports:\n      - "8080:8080"\n`,
    );
    await docker(['build', '-q', '-t', `${repo()}:${tag}`, join(sources, 'api')]);
    await docker(['push', `${repo()}:${tag}`]);
    const repoDigests = (await docker(['image', 'inspect', '--format', '{{join .RepoDigests "\\n"}}', `${repo()}:${tag}`])).split('\n');
    digest = repoDigests.find((d) => d.startsWith(`${repo()}@`))!.split('@')[1];
    await writeDigestFile(join(sources, 'image-digests.json'), {
      version: 1,
      images: [{ reference: `${repo()}:${tag}`, repository: repo(), tag, digest }],
      pipeline: { buildNumber: tag, sourceVersion: 'feedface' },
    });
  });

  after(async () => {
    if (bed && digest) await runner.exec('docker', ['image', 'rm', '-f', `${repo()}:${tag}`], { env: bed.env, quiet: true, noEcho: true });
    if (variables) await rm(variables['Agent.WorkFolder'], { recursive: true, force: true });
    if (cluster) await deleteNamespaces(cluster, [namespace]);
  });

  it('render: the manifests pin the digest the registry really holds, and are annotated throughout', async () => {
    const run = await runVsixTask('compose-to-k8s', {
      inputs: {
        action: 'render',
        composeFiles: 'docker-compose.yml',
        environment: `TAG=${tag}`,
        digestFile: 'image-digests.json',
        namespace: 'k8s-it',
      },
      variables,
      cwd: sources,
    });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    const docs = loadAll(readFileSync(run.outputs['manifestsFile'], 'utf8')) as Manifest[];
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'api');
    assert.ok(api?.spec?.template, 'a Deployment for the api service');
    assert.equal(api.spec.template.spec.containers[0].image, `${repo()}@${digest}`);
    assert.deepEqual(
      api.spec.template.metadata?.annotations,
      { 'outerloop.io/image-digests': `api=${repo()}@${digest}` },
      'the pod template carries only its own image',
    );
    for (const d of docs) {
      // A Deployment carries only its own images: its annotations are copied to its ReplicaSets.
      const deployment = d.kind === 'Deployment';
      assert.equal(d.metadata.annotations?.['outerloop.io/build-number'], deployment ? undefined : tag, `${d.kind}/${d.metadata.name}`);
      assert.equal(d.metadata.annotations?.['outerloop.io/image-digests'], `api=${repo()}@${digest}`);
      assert.equal(d.metadata.annotations?.['outerloop.io/source-version'], deployment ? undefined : 'feedface');
      if (d.spec?.template)
        assert.equal(
          d.spec.template.metadata?.annotations?.['outerloop.io/build-number'],
          undefined,
          'a build number on a pod template restarts every pod',
        );
    }
    // The pinned reference is one the registry serves: what a cluster would pull.
    const [host, ...path] = repo().split('/');
    const response = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('docker-content-digest'), digest);
  });

  it('deploy: the pull Secret it applied authenticates against the real htpasswd registry', async function () {
    cluster = requireTestCluster(this);
    // The user's own kubeconfig, whose context names the namespace: used in place.
    const kubeconfig = join(sources, 'kubeconfig');
    const admin = load(readFileSync(cluster.kubeconfig, 'utf8')) as { contexts: Array<{ context: Record<string, string> }> };
    admin.contexts[0].context['namespace'] = namespace;
    await writeFile(kubeconfig, dump(admin), { mode: 0o600 });
    const run = await runVsixTask('compose-to-k8s', {
      inputs: {
        composeFiles: 'docker-compose.yml',
        environment: `TAG=${tag}`,
        digestFile: 'image-digests.json',
        kubeconfig: 'kubeconfig',
        createNamespace: 'true',
        containerRegistry: REGISTRY_ID,
        manifestsArtifact: 'manifests-deploy',
      },
      variables,
      endpoints: [
        {
          id: REGISTRY_ID,
          url: `http://${bed.authRegistry}`,
          scheme: 'UsernamePassword',
          parameters: { username: bed.authUser, password: bed.authPassword },
        },
      ],
      cwd: sources,
      baseEnv: cluster.taskEnv,
    });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assert.equal(run.outputs['namespace'], namespace, "the kubeconfig context's namespace");
    assert.match(
      run.output,
      new RegExp(`kubectl --kubeconfig ${kubeconfig.replace(/[/.]/g, '\\$&')} `),
      "the user's kubeconfig, used in place",
    );
    assert.ok(
      !run.output.split('\n').some((l) => l.includes(bed.authPassword) && !l.startsWith('##vso[task.setsecret]')),
      'no password in the log',
    );
    const api = await getJson<Manifest>(cluster, ['deployment', 'api', '--namespace', namespace]);
    const pullSecret = api.spec!.template!.spec.imagePullSecrets![0].name;
    const secret = await getJson<Manifest>(cluster, ['secret', pullSecret, '--namespace', namespace]);
    assert.equal(api.spec!.template!.spec.containers[0].image, `${repo()}@${digest}`);
    const config = JSON.parse(Buffer.from(secret.data!['.dockerconfigjson'], 'base64').toString()) as {
      auths: Record<string, { auth: string }>;
    };
    const response = await fetch(`http://${bed.authRegistry}/v2/`, {
      headers: { Authorization: `Basic ${config.auths[bed.authRegistry].auth}` },
    });
    assert.equal(response.status, 200, 'the Secret holds credentials the registry accepts');
    const refused = await fetch(`http://${bed.authRegistry}/v2/`);
    assert.equal(refused.status, 401, 'and the registry does need them');
  });
});
