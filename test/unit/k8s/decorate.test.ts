import { strict as assert } from 'node:assert';
import { decorateObjects, podTemplateOf } from '../../../src/k8s/decorate';
import { cronJob, deployment, service } from '../../support/k8s-objects';

describe('decorateObjects', () => {
  const annotations = { 'outerloop.io/build-number': '20261122.3' };

  it('annotates every object but no pod template, gives each template its own annotations, and adds the pull secret once', () => {
    const podAnnotations = (template: Record<string, unknown>): Record<string, string> => {
      const image = (template['spec'] as { containers: Array<{ image: string }> }).containers[0].image;
      return image.includes('@') ? { 'own.image': image } : {};
    };
    const [d, c, s] = decorateObjects([deployment, cronJob, service], { annotations, podAnnotations, imagePullSecret: 'shop-registry' });
    assert.deepEqual(d.metadata.annotations, { 'compose.label': 'x', ...annotations });
    assert.deepEqual(c.metadata.annotations, annotations);
    assert.deepEqual((podTemplateOf(d)!['metadata'] as { annotations: unknown }).annotations, { 'own.image': 'r/api@sha256:1' });
    assert.deepEqual((podTemplateOf(d)!['spec'] as { imagePullSecrets: unknown }).imagePullSecrets, [
      { name: 'other' },
      { name: 'shop-registry' },
    ]);
    assert.equal(
      (podTemplateOf(c)!['metadata'] as { annotations?: unknown } | undefined)?.annotations,
      undefined,
      'a build number on a template would restart its pods on every release',
    );
    assert.deepEqual((podTemplateOf(c)!['spec'] as { imagePullSecrets: unknown }).imagePullSecrets, [{ name: 'shop-registry' }]);
    assert.deepEqual(s.metadata.annotations, annotations);
    assert.equal(podTemplateOf(s), undefined);
    const again = decorateObjects([d], { annotations, imagePullSecret: 'shop-registry' })[0];
    assert.deepEqual((podTemplateOf(again)!['spec'] as { imagePullSecrets: unknown[] }).imagePullSecrets.length, 2);
  });

  it('never changes the objects it is given', () => {
    const before = JSON.stringify(deployment);
    decorateObjects([deployment], { annotations, imagePullSecret: 'x' });
    assert.equal(JSON.stringify(deployment), before);
  });
});
