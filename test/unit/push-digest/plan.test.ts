import { strict as assert } from 'node:assert';
import { readImages } from '../../../src/push-digest/inputs';
import {
  classifyPushFailure,
  DigestError,
  groupByRepository,
  parsePushedDigest,
  planDigestFile,
  planOutputs,
  planWarnings,
  selectDigest,
  type PushedImage,
} from '../../../src/push-digest/plan';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const [api, web] = readImages(['127.0.0.1:5000/shop/api:1.0', '127.0.0.1:5000/shop/web']);

describe('PushDigest planner', () => {
  it('groups images by repository in the order listed (Docker Hub spellings are one repository)', () => {
    const images = readImages(['r.io/a:1', 'r.io/b:1', 'r.io/a:2', 'nginx:1', 'docker.io/library/nginx:2']);
    assert.deepEqual(
      groupByRepository(images).map((g) => g.map((i) => i.reference)),
      [['r.io/a:1', 'r.io/a:2'], ['r.io/b:1'], ['nginx:1', 'docker.io/library/nginx:2']],
    );
  });

  describe('parsePushedDigest', () => {
    const output = 'The push refers to repository [127.0.0.1:5000/shop/api]\n7ed22bef8bc5: Pushed\n1.0: digest: ' + A + ' size: 736\n';
    const cases: Array<[string, string, string | undefined]> = [
      [output, '1.0', A],
      [output, '1.1', undefined],
      ['latest: digest: ' + B + ' size: 528', 'latest', B],
      ['Error: denied', 'latest', undefined],
    ];
    for (const [text, tag, expected] of cases)
      it(`${JSON.stringify(text.slice(-30))} for ${tag} → ${expected ?? 'none'}`, () =>
        assert.equal(parsePushedDigest(text, tag), expected));
  });

  describe('selectDigest', () => {
    const cases: Array<[string, string[], string | undefined, string | RegExp]> = [
      ['the one RepoDigest of the pushed repository', [`127.0.0.1:5000/shop/api@${A}`, `127.0.0.1:5001/other@${B}`], undefined, A],
      ['the one the push printed, among several', [`127.0.0.1:5000/shop/api@${A}`, `127.0.0.1:5000/shop/api@${B}`], B, B],
      [
        'several and none printed',
        [`127.0.0.1:5000/shop/api@${A}`, `127.0.0.1:5000/shop/api@${B}`],
        undefined,
        /holds 2 digests for 127\.0\.0\.1:5000\/shop\/api/,
      ],
      [
        'none for this repository',
        [`127.0.0.1:5001/shop/api@${A}`],
        undefined,
        /recorded no digest for 127\.0\.0\.1:5000\/shop\/api after pushing 127\.0\.0\.1:5000\/shop\/api:1\.0/,
      ],
      [
        'a printed digest the engine does not hold',
        [`127.0.0.1:5000/shop/api@${A}`],
        B,
        /docker push printed digest sha256:b+ for .*RepoDigests .* are sha256:a+/,
      ],
    ];
    for (const [name, repoDigests, printed, expected] of cases) {
      it(name, () => {
        if (typeof expected === 'string') assert.equal(selectDigest(api, repoDigests, printed), expected);
        else
          assert.throws(
            () => selectDigest(api, repoDigests, printed),
            (err: unknown) => err instanceof DigestError && expected.test(err.message),
          );
      });
    }
    it('matches Docker Hub repositories in their familiar form', () => {
      const [nginx] = readImages(['nginx:1.27']);
      assert.equal(selectDigest(nginx, [`nginx@${A}`], undefined), A);
    });
  });

  describe('classifyPushFailure', () => {
    const cases: Array<[string, boolean]> = [
      ['Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', true],
      ['read tcp 127.0.0.1:4242->127.0.0.1:5000: read: connection reset by peer', true],
      ['received unexpected HTTP status: 503 Service Unavailable', true],
      ['toomanyrequests: too many requests (429)', true],
      ['unauthorized: authentication required', false],
      ['denied: requested access to the resource is denied', false],
      ['no basic auth credentials', false],
      ['An image does not exist locally with the tag: 127.0.0.1:5000/x', false],
      ['dial tcp: lookup nowhere.invalid: no such host', false],
    ];
    for (const [output, transient] of cases) {
      it(`${transient ? 'retries' : 'fails at once on'}: ${output}`, () => {
        const failure = classifyPushFailure(`The push refers to repository [x]\n${output}\n`);
        assert.equal(failure.transient, transient);
        assert.equal(failure.reason, output);
      });
    }
  });

  it('warns about images on another registry than the service connection', () => {
    assert.deepEqual(planWarnings([api], undefined), []);
    assert.deepEqual(planWarnings([api], { registry: '127.0.0.1:5000', username: 'u', password: 'p' }), []);
    assert.deepEqual(planWarnings([api], { registry: 'contoso.azurecr.io', username: 'u', password: 'p' }), [
      '127.0.0.1:5000/shop/api:1.0 is on registry 127.0.0.1:5000, but containerRegistry logs in to contoso.azurecr.io; it is pushed without credentials.',
    ]);
  });

  it('writes the digest file and the outputs in the order the images were listed', () => {
    const pushed: PushedImage[] = [
      { ...api, digest: A },
      { ...web, digest: B },
    ];
    assert.deepEqual(planDigestFile(pushed, { buildNumber: '20261122.3', sourceVersion: 'abc' }), {
      version: 1,
      images: [
        { reference: '127.0.0.1:5000/shop/api:1.0', repository: '127.0.0.1:5000/shop/api', tag: '1.0', digest: A },
        { reference: '127.0.0.1:5000/shop/web:latest', repository: '127.0.0.1:5000/shop/web', tag: 'latest', digest: B },
      ],
      pipeline: { buildNumber: '20261122.3', sourceVersion: 'abc' },
    });
    assert.deepEqual(planOutputs(pushed, '/a/image-digests.json'), {
      digest: A,
      imageRef: `127.0.0.1:5000/shop/api@${A}`,
      digests: JSON.stringify({ '127.0.0.1:5000/shop/api:1.0': A, '127.0.0.1:5000/shop/web:latest': B }),
      digestFile: '/a/image-digests.json',
    });
  });
});
