import { strict as assert } from 'node:assert';
import {
  canonicalRepository,
  findSameRepositoryTag,
  formatImageReference,
  parseImageReference,
  ReferenceFormatError,
  repositoryOf,
} from '../../../src/docker/reference';

const D = 'sha256:' + 'a'.repeat(64);

describe('parseImageReference', () => {
  const valid: Array<[string, ReturnType<typeof parseImageReference>]> = [
    ['nginx', { registry: undefined, path: 'nginx', tag: undefined, digest: undefined }],
    ['shop/api:1.2.3', { registry: undefined, path: 'shop/api', tag: '1.2.3', digest: undefined }],
    ['contoso.azurecr.io/shop/api:20261122.3', { registry: 'contoso.azurecr.io', path: 'shop/api', tag: '20261122.3', digest: undefined }],
    ['127.0.0.1:5000/shop/api:sha-0123456', { registry: '127.0.0.1:5000', path: 'shop/api', tag: 'sha-0123456', digest: undefined }],
    ['localhost/a', { registry: 'localhost', path: 'a', tag: undefined, digest: undefined }],
    [`reg:5000/a/b@${D}`, { registry: 'reg:5000', path: 'a/b', tag: undefined, digest: D }],
    [`a/b:t@${D}`, { registry: undefined, path: 'a/b', tag: 't', digest: D }],
    ['a__b/c-d.e---f:v', { registry: undefined, path: 'a__b/c-d.e---f', tag: 'v', digest: undefined }],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${text}`, () => {
      const ref = parseImageReference(text);
      assert.deepEqual(ref, expected);
      assert.equal(formatImageReference(ref), text);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Shop/API', /must be lower-case/],
    ['shop/api:bad tag', /tag 'bad tag'/],
    ['shop/api:-x', /tag '-x'/],
    ['shop//api', /repository part ''/],
    ['shop/api_', /may hold only/],
    [`a@sha256:${'A'.repeat(64)}`, /not a valid digest/],
    ['a@sha256:abc', /not a valid digest/],
    ['reg:port/x', /invalid port/],
    ['-reg.io/x', /not a valid host name/],
    ['a:' + 'x'.repeat(129), /tag/],
    ['r.io/' + 'a'.repeat(260), /longer than 255/],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects '${text.slice(0, 40)}'`, () => {
      assert.throws(
        () => parseImageReference(text),
        (err: unknown) => err instanceof ReferenceFormatError && reason.test(err.message),
      );
    });
  }
});

describe('repository helpers', () => {
  it('gives the repository and its canonical form', () => {
    assert.equal(repositoryOf(parseImageReference('r.io/a/b:t')), 'r.io/a/b');
    assert.equal(canonicalRepository(parseImageReference('nginx:1')), 'docker.io/library/nginx');
    assert.equal(canonicalRepository(parseImageReference('index.docker.io/x/y')), 'docker.io/x/y');
    assert.equal(canonicalRepository(parseImageReference('127.0.0.1:5000/x')), '127.0.0.1:5000/x');
  });
});

describe('findSameRepositoryTag', () => {
  it('matches repository + tag in any spelling, no tag as latest, the first one winning, whatever the digest', () => {
    const items = ['docker.io/library/nginx:1.27', '127.0.0.1:5000/shop/api:latest', 'nginx:1.27', `127.0.0.1:5000/shop/web:2@${D}`];
    const find = (wanted: string) => findSameRepositoryTag(items, parseImageReference, parseImageReference(wanted));
    assert.equal(find('nginx:1.27'), 'docker.io/library/nginx:1.27');
    assert.equal(find('index.docker.io/library/nginx:1.27'), 'docker.io/library/nginx:1.27');
    assert.equal(find('127.0.0.1:5000/shop/api'), '127.0.0.1:5000/shop/api:latest');
    assert.equal(find('127.0.0.1:5000/shop/web:2'), `127.0.0.1:5000/shop/web:2@${D}`);
    assert.equal(find('nginx:1.28'), undefined);
    assert.equal(find('127.0.0.1:5000/shop/api:1'), undefined);
    assert.equal(find('127.0.0.1:5001/shop/api'), undefined);
  });
});
