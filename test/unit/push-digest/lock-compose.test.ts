import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import { readImages } from '../../../src/push-digest/inputs';
import { lockComposeFiles, type ComposeSource } from '../../../src/push-digest/lock-compose';
import type { PushedImage } from '../../../src/push-digest/plan';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const pushed: PushedImage[] = readImages(['127.0.0.1:5000/shop/api:42', '127.0.0.1:5000/shop/web:42']).map((i, n) => ({ ...i, digest: n === 0 ? A : B }));
const API = `127.0.0.1:5000/shop/api@${A}`;
const WEB = `127.0.0.1:5000/shop/web@${B}`;
const env = { TAG: '42', REG: '127.0.0.1:5000' };

const lock = (...texts: string[]) => lockComposeFiles(texts.map((text, i): ComposeSource => ({ path: `/src/compose${i}.yml`, text })), pushed, env);

describe('lockComposeFiles', () => {
  /** [case, compose file, locked file]: only image values change; comments, order, quoting and anchors stay. */
  const golden: Array<[string, string, string]> = [
    [
      'plain, quoted and interpolated images, with comments kept',
      '# the shop\nservices:\n  api:\n    build: ./api   # built here\n    image: "${REG}/shop/api:${TAG}"\n    ports: ["8080:80"]\n  web:\n    image: \'127.0.0.1:5000/shop/web:$TAG\'\n',
      `# the shop\nservices:\n  api:\n    build: ./api   # built here\n    image: "${API}"\n    ports: ["8080:80"]\n  web:\n    image: '${WEB}'\n`,
    ],
    [
      'flow-style services',
      'services: {api: {image: 127.0.0.1:5000/shop/api:42, init: true}, web: {image: 127.0.0.1:5000/shop/web:42}}\n',
      `services: {api: {image: ${API}, init: true}, web: {image: ${WEB}}}\n`,
    ],
    [
      'an image set through an anchor is pinned where it is written',
      'x-api: &api-image 127.0.0.1:5000/shop/api:42\nservices:\n  api:\n    image: *api-image\n',
      `x-api: &api-image 127.0.0.1:5000/shop/api:42\nservices:\n  api:\n    image: ${API}\n`,
    ],
  ];
  for (const [name, input, expected] of golden) {
    it(name, () => {
      const result = lock(input);
      assert.equal(result.text, expected);
      assert.deepEqual(result.warnings, []);
    });
  }

  it('takes the image from the last file that sets it, adding the key to the first file when needed', () => {
    const base = 'services:\n  api:\n    build: .\n    init: true\n  web:\n    image: nginx:dev\n';
    const override = 'services:\n  api:\n    image: 127.0.0.1:5000/shop/api:${TAG}\n  web:\n    image: 127.0.0.1:5000/shop/web:42\n';
    const result = lock(base, override);
    assert.equal(result.text, `services:\n  api:\n    image: ${API}\n    build: .\n    init: true\n  web:\n    image: ${WEB}\n`);
    assert.deepEqual(result.services, [
      { service: 'api', image: '127.0.0.1:5000/shop/api:42', pinned: API },
      { service: 'web', image: '127.0.0.1:5000/shop/web:42', pinned: WEB },
    ]);
  });

  it('adds the image key to flow-style services too', () => {
    const result = lock('services: {api: {build: .}, web: {}}\n', 'services:\n  api: {image: "127.0.0.1:5000/shop/api:42"}\n  web: {image: 127.0.0.1:5000/shop/web:42}\n');
    assert.equal(result.text, `services: {api: {image: ${API}, build: .}, web: {image: ${WEB}}}\n`);
  });

  it('warns about images it did not push and keeps already-pinned ones quietly', () => {
    const result = lock(`services:\n  api:\n    image: 127.0.0.1:5000/shop/api:42\n  db:\n    image: redis:7\n  cache:\n    image: redis@${B}\n`);
    assert.deepEqual(result.warnings, ["Service 'db' keeps image 'redis:7' unpinned: this task did not push it."]);
    assert.ok(result.text.includes('image: redis:7\n') && result.text.includes(`image: ${API}\n`));
  });

  const errors: Array<[string, string[], RegExp]> = [
    ['a built service whose image was not pushed', ['services:\n  api:\n    build: .\n    image: 127.0.0.1:5000/shop/api:43\n'],
      /^\/src\/compose0\.yml: services\.api\.image '127\.0\.0\.1:5000\/shop\/api:43' is built by this project \(build:\) but was not pushed by this task/],
    ['a built service without an image name', ['services:\n  api:\n    build: .\n'], /^\/src\/compose0\.yml: services\.api is built by this project but has no image: name/],
    ['YAML that does not parse, with its line', ['services:\n  api:\n    image: [x\n  web: {}\n'], /^\/src\/compose0\.yml:\d+:\d+: the file is not valid YAML: /],
    ['services that is not a mapping', ['services:\n  - api\n'], /^\/src\/compose0\.yml: services must be a mapping/],
    ['an invalid image name', ['services:\n  api:\n    image: Shop/API:1\n'], /^\/src\/compose0\.yml: services\.api\.image 'Shop\/API:1' is not a valid image reference/],
    ['a required variable that is unset', ['services:\n  api:\n    image: api:${NOPE:?set NOPE}\n'], /^\/src\/compose0\.yml: services\.api\.image cannot be resolved: required variable NOPE is not set: set NOPE\.$/],
    ['an empty file', [''], /^\/src\/compose0\.yml: the file is empty/],
  ];
  for (const [name, texts, message] of errors) {
    it(`fails on ${name}`, () => assert.throws(() => lock(...texts), (err: unknown) => err instanceof FileError && message.test(err.message)));
  }
});
