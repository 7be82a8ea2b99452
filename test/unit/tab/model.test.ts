import { strict as assert } from 'node:assert';
import { buildTabView, describePlace, isEmptyView, parseAttachmentAddress, parseRecord, safeLink } from '../../../src/tab/model';
import { writeResultRecord, type ResultRecord } from '../../../src/summary/record';
import { RECORDS } from '../summary/fixtures';

const json = (r: ResultRecord): string => writeResultRecord(r);

describe('Outer loop tab model', () => {
  describe('parseRecord', () => {
    const cases: Array<[string, string, boolean]> = [
      ['a record of this schema', json(RECORDS.PushDigest), true],
      ['not JSON', '{', false],
      ['a newer schema', JSON.stringify({ ...RECORDS.PushDigest, schemaVersion: 2 }), false],
      ['an unknown task', JSON.stringify({ ...RECORDS.PushDigest, task: 'Other' }), false],
      ['not an object', '"x"', false],
    ];
    for (const [name, text, ok] of cases) it(name, () => assert.equal(parseRecord(text) !== undefined, ok));
  });

  it('merges a built image with its pushed digest, and counts records it cannot read', () => {
    const built = { ...RECORDS.DockerBuildTag } as ResultRecord;
    const view = buildTabView([
      json(built),
      json(RECORDS.PushDigest),
      json(RECORDS.ComposeTest),
      json(RECORDS.ComposeToK8s),
      '{"schemaVersion":9}',
    ]);
    assert.deepEqual(view.images, [
      {
        repository: '127.0.0.1:5000/shop/api',
        tags: ['1.4.2'],
        digest: `sha256:${'d'.repeat(64)}`,
        verified: true,
        imageId: `sha256:${'1'.repeat(64)}`,
      },
    ]);
    assert.equal(view.tests.length, 1);
    assert.deepEqual(
      view.deployments.map(({ record }) => [record.namespace, record.cluster, record.workloads.map((w) => w.name)]),
      [['qa', 'https://127.0.0.1:6443', ['deployment/web']]],
    );
    assert.equal(view.unreadable, 1);
    assert.ok(!isEmptyView(view));
  });

  it('one row per repository and digest, with every tag pushed; a build not pushed keeps its image id', () => {
    const push = RECORDS.PushDigest as Extract<ResultRecord, { task: 'PushDigest' }>;
    const twoTags = {
      ...push,
      images: [push.images[0], { ...push.images[0], reference: '127.0.0.1:5000/shop/api:latest', tag: 'latest', verified: false }],
    };
    const other = {
      ...RECORDS.DockerBuildTag,
      image: {
        ...(RECORDS.DockerBuildTag as Extract<ResultRecord, { task: 'DockerBuildTag' }>).image,
        repository: 'shop/web',
        tags: ['dev'],
      },
    } as ResultRecord;
    const view = buildTabView([json(twoTags), json(other)]);
    assert.deepEqual(
      view.images.map((i) => [i.repository, i.tags, i.verified, i.imageId]),
      [
        ['127.0.0.1:5000/shop/api', ['1.4.2', 'latest'], false, undefined],
        ['shop/web', ['dev'], undefined, `sha256:${'1'.repeat(64)}`],
      ],
    );
  });

  it("lists ComposeDeploy's deployments to Docker hosts on their own", () => {
    const view = buildTabView([json(RECORDS.ComposeDeploy)]);
    assert.deepEqual(
      view.hostDeployments.map((d) => [d.record.project, d.record.host, d.record.outcome]),
      [['shop', 'tcp://qa.contoso.test:2376', 'deployed']],
    );
    assert.equal(view.unreadable, 0);
    assert.ok(!isEmptyView(view));
  });

  it('an empty run is empty', () => assert.ok(isEmptyView(buildTabView([]))));

  describe('attachment addresses', () => {
    const t = '11111111-2222-4333-8444-555555555555';
    const r = '00000000-0000-4000-8000-000000000001';
    const cases: Array<[string, ReturnType<typeof parseAttachmentAddress>]> = [
      [
        `https://dev.example.invalid/org/6c2b/_apis/build/builds/42/${t}/${r}/attachments/outerloop.result/push-digest`,
        { timelineId: t, recordId: r },
      ],
      ['https://dev.example.invalid/org/_apis/build/builds/42/attachments/outerloop.result', undefined],
      ['', undefined],
    ];
    for (const [href, expected] of cases) it(href || '(none)', () => assert.deepEqual(parseAttachmentAddress(href), expected));
  });

  describe('links from a record', () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      [
        'https://dev.example.invalid/org/Shop/_build/results?buildId=7&view=artifacts',
        'https://dev.example.invalid/org/Shop/_build/results?buildId=7&view=artifacts',
      ],
      ['http://tfs.example.invalid/tfs/', 'http://tfs.example.invalid/tfs/'],
      ['javascript:alert(1)', undefined],
      ['data:text/html,x', undefined],
      ['not a url', undefined],
      [undefined, undefined],
    ];
    for (const [url, expected] of cases) it(String(url), () => assert.equal(safeLink(url), expected));
  });

  it('describes a step’s place, leaving out what is unknown', () => {
    assert.equal(describePlace({ stage: 'Build', job: 'Image', step: 'Push' }), 'Build › Image › Push');
    assert.equal(describePlace({ job: 'Job' }), 'Job');
  });
});
