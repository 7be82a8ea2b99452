import { strict as assert } from 'node:assert';
import type { PipelineVariables } from '../../../src/pipeline/interfaces';
import { planLabels, publicSourceUrl } from '../../../src/docker-build-tag/labels';

const FACTS: PipelineVariables = {
  buildNumber: '20261122.3',
  buildUri: 'vstfs:///Build/Build/4242',
  definitionName: 'shop-ci',
  sourceBranch: 'refs/heads/main',
  sourceVersion: '0123456789abcdef0123456789abcdef01234567',
  repositoryName: 'shop',
  repositoryUri: 'https://contoso@dev.azure.com/contoso/shop/_git/shop',
  collectionUri: 'https://dev.azure.com/contoso/',
  teamProject: 'shop',
};
const CONTEXT = { version: '1.2.3', created: '2026-11-22T03:00:00.000Z' };

describe('planLabels (pipeline variables → labels)', () => {
  it('adds the OCI and pipeline labels, sorted, with the source URL stripped of its user', () => {
    const labels = planLabels({ labels: [], addPipelineLabels: true, repository: 'contoso.azurecr.io/shop/api' }, FACTS, CONTEXT);
    assert.deepEqual(labels, [
      ['com.azure.dev.image.build.buildnumber', '20261122.3'],
      ['com.azure.dev.image.build.builduri', 'vstfs:///Build/Build/4242'],
      ['com.azure.dev.image.build.definitionname', 'shop-ci'],
      ['com.azure.dev.image.build.sourcebranch', 'refs/heads/main'],
      ['com.azure.dev.image.system.teamfoundationcollectionuri', 'https://dev.azure.com/contoso/'],
      ['com.azure.dev.image.system.teamproject', 'shop'],
      ['org.opencontainers.image.created', '2026-11-22T03:00:00.000Z'],
      ['org.opencontainers.image.revision', '0123456789abcdef0123456789abcdef01234567'],
      ['org.opencontainers.image.source', 'https://dev.azure.com/contoso/shop/_git/shop'],
      ['org.opencontainers.image.title', 'shop'],
      ['org.opencontainers.image.version', '1.2.3'],
    ]);
  });

  it('leaves out labels whose variables are not set; the title falls back to the repository name', () => {
    const labels = planLabels({ labels: [], addPipelineLabels: true, repository: 'localhost:5000/shop/api' }, {}, CONTEXT);
    assert.deepEqual(labels, [
      ['org.opencontainers.image.created', CONTEXT.created],
      ['org.opencontainers.image.title', 'api'],
      ['org.opencontainers.image.version', '1.2.3'],
    ]);
  });

  it('lets user labels win over generated ones', () => {
    const labels = new Map(
      planLabels(
        {
          labels: [
            ['org.opencontainers.image.title', 'Shop API'],
            ['team', 'checkout'],
          ],
          addPipelineLabels: true,
          repository: 'x',
        },
        FACTS,
        CONTEXT,
      ),
    );
    assert.equal(labels.get('org.opencontainers.image.title'), 'Shop API');
    assert.equal(labels.get('team'), 'checkout');
    assert.equal(labels.get('org.opencontainers.image.version'), '1.2.3');
  });

  it('adds only user labels when addPipelineLabels is off', () => {
    assert.deepEqual(
      planLabels(
        {
          labels: [
            ['b', '2'],
            ['a', ''],
          ],
          addPipelineLabels: false,
          repository: 'x',
        },
        FACTS,
        CONTEXT,
      ),
      [
        ['a', ''],
        ['b', '2'],
      ],
    );
  });

  it('strips credentials from source URLs', () => {
    assert.equal(publicSourceUrl('https://user:pat@github.com/o/r.git'), 'https://github.com/o/r.git');
    assert.equal(publicSourceUrl('git@github.com:o/r.git'), 'git@github.com:o/r.git');
  });
});
