import { findDigest } from '../../../src/digests/digest-file';
import { formatManifests } from '../../../src/k8s/manifests';
import type { RenderOptions, RenderResult } from '../../../src/k8s/convert';
import type { KubernetesObject } from '../../../src/k8s/objects';

/**
 * A stand-in for the compose→Kubernetes converter (issue 6) with its contract's shape: project
 * `shop`, a built service `api` (pinned from the digest file when it has the image) and a
 * `cache` service from a public image, each a Deployment with a Service.
 */
export const API_IMAGE = '127.0.0.1:5000/shop/api:20261122.3';
export const CACHE_IMAGE = 'redis:7';

function labels(service: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': service,
    'app.kubernetes.io/instance': 'shop',
    'app.kubernetes.io/part-of': 'shop',
    'app.kubernetes.io/managed-by': 'outerloop',
  };
}

function workload(service: string, image: string): KubernetesObject[] {
  const selector = { 'app.kubernetes.io/name': service, 'app.kubernetes.io/instance': 'shop' };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, labels: labels(service) },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: { metadata: { labels: labels(service) }, spec: { containers: [{ name: service, image }] } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, labels: labels(service) },
      spec: { selector, ports: [{ name: 'http', port: 80 }] },
    },
  ];
}

/** Renders the fixture project; records the options it was given. */
export function fixtureRenderer(): { render: (o: RenderOptions) => Promise<RenderResult>; calls: RenderOptions[] } {
  const calls: RenderOptions[] = [];
  const render = async (options: RenderOptions): Promise<RenderResult> => {
    calls.push(options);
    const digest = options.digests ? findDigest(options.digests, API_IMAGE) : undefined;
    const api = digest ? `${API_IMAGE.replace(/:[^:/]+$/, '')}@${digest}` : API_IMAGE;
    const objects = [...workload('api', api), ...workload('cache', CACHE_IMAGE)].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name),
    );
    return {
      objects,
      yaml: formatManifests(objects),
      warnings: ['services.api.build.ssh: not converted (##vso[task.setvariable variable=x]y)'],
      images: [
        { service: 'api', image: API_IMAGE, resolved: api, pinned: !!digest, built: true },
        { service: 'cache', image: CACHE_IMAGE, resolved: CACHE_IMAGE, pinned: false, built: false },
      ],
      projectName: 'shop',
    };
  };
  return { render, calls };
}
