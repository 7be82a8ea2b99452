import { RESULT_SCHEMA_VERSION, type ResultRecord } from '../../../src/summary/record';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const IMAGE_ID = `sha256:${'1'.repeat(64)}`;
const place = { stage: 'Build', job: 'Image', step: 'Build the API' };

/** One record of each task, as the writers' tests use them. */
export const RECORDS: Record<ResultRecord['task'], ResultRecord> = {
  DockerBuildTag: {
    schemaVersion: RESULT_SCHEMA_VERSION,
    place,
    task: 'DockerBuildTag',
    image: {
      repository: '127.0.0.1:5000/shop/api',
      imageId: IMAGE_ID,
      tags: ['1.4.2', 'latest'],
      references: ['127.0.0.1:5000/shop/api:1.4.2', '127.0.0.1:5000/shop/api:latest'],
      version: '1.4.2',
      builder: 'buildx',
      labels: { 'org.opencontainers.image.version': '1.4.2', 'org.opencontainers.image.revision': 'abc123' },
    },
  },
  ComposeTest: {
    schemaVersion: RESULT_SCHEMA_VERSION,
    place,
    task: 'ComposeTest',
    project: 'shop-ci',
    outcome: 'passed',
    services: [
      { name: 'db', containers: 1, status: 'running' },
      { name: 'web', containers: 2, status: 'running' },
    ],
    readyAfterMs: 4200,
    testDurationMs: 1500,
    exitCode: 0,
    tests: { format: 'JUnit', files: 1, total: 3, passed: 2, failed: 0, skipped: 1 },
    logsArtifact: 'compose-logs',
    logsUrl: 'https://example.invalid/org/Shop/_build/results?buildId=7&view=artifacts&type=publishedArtifacts',
  },
  PushDigest: {
    schemaVersion: RESULT_SCHEMA_VERSION,
    place,
    task: 'PushDigest',
    images: [
      { reference: '127.0.0.1:5000/shop/api:1.4.2', repository: '127.0.0.1:5000/shop/api', tag: '1.4.2', digest: DIGEST, verified: true },
    ],
    digestFile: '/w/image-digests.json',
    artifact: 'image-digests',
  },
  ComposeToK8s: {
    schemaVersion: RESULT_SCHEMA_VERSION,
    place,
    task: 'ComposeToK8s',
    action: 'deploy',
    project: 'shop',
    namespace: 'qa',
    cluster: 'https://127.0.0.1:6443',
    objects: ['Deployment/web', 'Service/web'],
    pruned: ['ConfigMap/old'],
    workloads: [{ name: 'deployment/web', status: 'rolled out' }],
    images: [{ service: 'web', image: `127.0.0.1:5000/shop/web@${DIGEST}`, pinned: true }],
    manifestsFile: '/w/manifests/qa.yaml',
  },
  ComposeDeploy: {
    schemaVersion: RESULT_SCHEMA_VERSION,
    place,
    task: 'ComposeDeploy',
    action: 'deploy',
    project: 'shop',
    host: 'tcp://qa.contoso.test:2376',
    outcome: 'deployed',
    images: [{ service: 'web', image: `127.0.0.1:5000/shop/web@${DIGEST}`, pinned: true }],
    previousImages: [{ service: 'web', image: `127.0.0.1:5000/shop/web@sha256:${'e'.repeat(64)}` }],
    services: [{ name: 'web', containers: 1, status: 'running' }],
  },
};
