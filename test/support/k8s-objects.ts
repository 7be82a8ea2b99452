import type { KubernetesObject } from '../../src/k8s/objects';

/** Small rendered objects for the tests of the pure helpers over them (decoration, workloads). */

/** The standard labels of `deployment`. */
export const labels = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' };
/** A Deployment with a compose annotation and a pull secret of its own. */
export const deployment: KubernetesObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', labels, annotations: { 'compose.label': 'x' } },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'api', image: 'r/api@sha256:1' }], imagePullSecrets: [{ name: 'other' }] },
    },
  },
};
/** A CronJob (its pod template is under jobTemplate). */
export const cronJob: KubernetesObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report' },
  spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'report', image: 'r/report' }] } } } } },
};
/** A Service (no pod template). */
export const service: KubernetesObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 80 }] } };
