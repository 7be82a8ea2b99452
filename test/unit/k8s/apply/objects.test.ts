import { strict as assert } from 'node:assert';
import { loadAll } from 'js-yaml';
import * as commands from '../../../../src/k8s/apply/commands';
import { describeObjects, jobsOf, namespaceObject, workloadsOf } from '../../../../src/k8s/apply/objects';
import { formatManifests } from '../../../../src/k8s/manifests';
import { dockerConfigJson, registrySecretObject, registrySecretValues } from '../../../../src/k8s/apply/registry-secret';
import { cronJob, deployment, labels, service } from '../../../support/k8s-objects';

describe('kubectl command lines', () => {
  const w = { kind: 'Deployment', name: 'api', matchLabels: { b: '2', a: '1' } };
  const table: Array<[string, string[], string[]]> = [
    [
      'apply',
      commands.applyArgs('shop'),
      ['apply', '--server-side', '--field-manager=outerloop', '--force-conflicts', '--namespace', 'shop', '--filename', '-'],
    ],
    [
      'rollout status rounds the timeout up, at least 1 s',
      commands.rolloutStatusArgs(w, 'shop', 0.2),
      ['rollout', 'status', 'deployment/api', '--namespace', 'shop', '--timeout=1s'],
    ],
    [
      'rollout status',
      commands.rolloutStatusArgs(w, 'shop', 599.1),
      ['rollout', 'status', 'deployment/api', '--namespace', 'shop', '--timeout=600s'],
    ],
    [
      'rollout undo',
      commands.rolloutUndoArgs({ ...w, kind: 'StatefulSet' }, 'shop'),
      ['rollout', 'undo', 'statefulset/api', '--namespace', 'shop'],
    ],
    [
      'pods by selector, keys sorted',
      commands.getPodsArgs(w, 'shop'),
      ['get', 'pods', '--namespace', 'shop', '--selector', 'a=1,b=2', '--output=json'],
    ],
    [
      'events',
      commands.getEventsArgs('Pod', 'api-1', 'shop'),
      ['get', 'events', '--namespace', 'shop', '--field-selector', 'involvedObject.kind=Pod,involvedObject.name=api-1', '--output=json'],
    ],
    [
      'logs of the previous instance',
      commands.logsArgs('api-1', 'shop', 20, true),
      ['logs', 'pod/api-1', '--namespace', 'shop', '--all-containers', '--prefix', '--tail=20', '--previous'],
    ],
    [
      'logs',
      commands.logsArgs('api-1', 'shop', 5, false),
      ['logs', 'pod/api-1', '--namespace', 'shop', '--all-containers', '--prefix', '--tail=5'],
    ],
    [
      'app objects',
      commands.getAppObjectsArgs(['services', 'deployments.apps'], 'p=shop', 'shop'),
      ['get', 'services,deployments.apps', '--namespace', 'shop', '--selector', 'p=shop', '--output=json'],
    ],
    [
      'delete jobs',
      commands.deleteJobsArgs(['job.batch/migrate'], 'shop', 30),
      ['delete', 'job.batch/migrate', '--namespace', 'shop', '--ignore-not-found', '--wait=true', '--timeout=30s'],
    ],
    [
      'delete',
      commands.deleteArgs(['deployment.apps/old'], 'shop'),
      ['delete', 'deployment.apps/old', '--namespace', 'shop', '--ignore-not-found', '--wait=false'],
    ],
  ];
  for (const [name, actual, expected] of table) it(name, () => assert.deepEqual(actual, expected));
});

describe('objects', () => {
  it('lists the workloads to watch, with their selectors, and names objects Kind/name', () => {
    assert.deepEqual(workloadsOf([service, deployment, cronJob]), [{ kind: 'Deployment', name: 'api', matchLabels: labels }]);
    assert.deepEqual(describeObjects([deployment, service]), ['Deployment/api', 'Service/api']);
    assert.deepEqual(jobsOf([deployment, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' } }, cronJob]), [
      'job.batch/migrate',
    ]);
  });

  it('formats multi-document YAML that reads back as the same objects, in order', () => {
    const yaml = formatManifests([namespaceObject('shop', { a: 'b' }), deployment, service]);
    assert.ok(yaml.startsWith('---\napiVersion: v1\nkind: Namespace\n'));
    assert.deepEqual(loadAll(yaml), [namespaceObject('shop', { a: 'b' }), deployment, service]);
    assert.equal(formatManifests([deployment, service]), formatManifests([deployment, service]));
  });
});

describe('registry Secret', () => {
  const creds = { registry: '127.0.0.1:5001', username: 'ci', password: 'pa55-word' };

  it('is a dockerconfigjson Secret kubelet can use', () => {
    const secret = registrySecretObject('shop-registry', creds, { 'app.kubernetes.io/part-of': 'shop' });
    assert.equal(secret['type'], 'kubernetes.io/dockerconfigjson');
    const json = JSON.parse(Buffer.from((secret['data'] as Record<string, string>)['.dockerconfigjson'], 'base64').toString());
    assert.deepEqual(json, {
      auths: { '127.0.0.1:5001': { username: 'ci', password: 'pa55-word', auth: Buffer.from('ci:pa55-word').toString('base64') } },
    });
    assert.deepEqual(secret.metadata, { name: 'shop-registry', labels: { 'app.kubernetes.io/part-of': 'shop' } });
  });

  it("uses Docker Hub's auth key, and names every encoding of the password as a secret", () => {
    assert.ok(dockerConfigJson({ ...creds, registry: 'docker.io' }).includes('"https://index.docker.io/v1/"'));
    const values = registrySecretValues(creds);
    assert.ok(values.includes('pa55-word'));
    const secret = registrySecretObject('s', creds, {});
    assert.ok(values.includes((secret['data'] as Record<string, string>)['.dockerconfigjson']));
  });
});
