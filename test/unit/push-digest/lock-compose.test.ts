import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '../../../src/common/errors';
import { readImages } from '../../../src/push-digest/inputs';
import { lockComposeFiles } from '../../../src/push-digest/lock-compose';
import type { PushedImage } from '../../../src/push-digest/plan';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const pushed: PushedImage[] = readImages(['127.0.0.1:5000/shop/api:42', '127.0.0.1:5000/shop/web:42']).map((i, n) => ({
  ...i,
  digest: n === 0 ? A : B,
}));
const API = `127.0.0.1:5000/shop/api@${A}`;
const WEB = `127.0.0.1:5000/shop/web@${B}`;
const env = { TAG: '42', REG: '127.0.0.1:5000' };

describe('lockComposeFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outerloop-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  /** Writes the texts as compose0.yml, compose1.yml, … and locks them, in that order. */
  const lock = (...texts: string[]) => {
    const files = texts.map((text, i) => {
      writeFileSync(join(dir, `compose${i}.yml`), text);
      return `compose${i}.yml`;
    });
    return lockComposeFiles({ files, workingDir: dir, environment: env }, pushed);
  };
  const file = () => join(dir, 'compose0.yml').replace(/[.]/g, '\\.');
  /** A message about compose0.yml (at a line and column, or not), then `rest`. */
  const about = (rest: string) => new RegExp(`^${file()}(:\\d+:\\d+)?: ${rest}`);
  /** A message about compose0.yml at a line and column, then `rest`. */
  const atLine = (rest: string) => new RegExp(`^${file()}:\\d+:\\d+: ${rest}`);

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
    const result = lock(
      'services: {api: {build: .}, web: {}}\n',
      'services:\n  api: {image: "127.0.0.1:5000/shop/api:42"}\n  web: {image: 127.0.0.1:5000/shop/web:42}\n',
    );
    assert.equal(result.text, `services: {api: {image: ${API}, build: .}, web: {image: ${WEB}}}\n`);
  });

  it('warns about images it did not push and keeps already-pinned ones quietly', () => {
    const result = lock(
      `services:\n  api:\n    image: 127.0.0.1:5000/shop/api:42\n  db:\n    image: redis:7\n  cache:\n    image: redis@${B}\n`,
    );
    assert.deepEqual(result.warnings, ["Service 'db' keeps image 'redis:7' unpinned: this task did not push it."]);
    assert.ok(result.text.includes('image: redis:7\n') && result.text.includes(`image: ${API}\n`));
  });

  it("resolves images by the compose loader's rules: extends, the project's .env, the given environment winning", () => {
    writeFileSync(join(dir, '.env'), 'TAG=41\nWEB_TAG=42\n');
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  api:\n    extends: {service: template}\n  template:\n    image: 127.0.0.1:5000/shop/api:${TAG}\n  web:\n    image: 127.0.0.1:5000/shop/web:${WEB_TAG}\n',
    );
    const result = lockComposeFiles({ files: [], workingDir: dir, environment: { TAG: '42' } }, pushed);
    assert.equal(
      result.text,
      `services:\n  api:\n    image: ${API}\n    extends: {service: template}\n  template:\n    image: ${API}\n  web:\n    image: ${WEB}\n`,
    );
  });

  it('locks every service whatever its profiles; only an enabled one must have its built image pushed', () => {
    const text =
      'services:\n  api:\n    image: 127.0.0.1:5000/shop/api:42\n  debug:\n    profiles: [debug]\n    build: .\n    image: 127.0.0.1:5000/shop/debug:42\n';
    const result = lock(text);
    assert.deepEqual(result.warnings, ["Service 'debug' keeps image '127.0.0.1:5000/shop/debug:42' unpinned: this task did not push it."]);
    assert.ok(result.text.includes(`image: ${API}\n`));
    writeFileSync(join(dir, 'compose0.yml'), text);
    assert.throws(
      () => lockComposeFiles({ files: ['compose0.yml'], workingDir: dir, environment: {}, profiles: ['debug'] }, pushed),
      /services\.debug\.image '127\.0\.0\.1:5000\/shop\/debug:42' is built by this project/,
    );
  });

  it("passes on the loader's warnings about images, and only those", () => {
    const result = lock('version: "3"\nservices:\n  api:\n    image: 127.0.0.1:5000/shop/api:42${SUFFIX}\n    environment: [UNSET_TOO]\n');
    assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
    assert.match(result.warnings[0], /compose0\.yml:4:\d+: services\.api\.image: the variable SUFFIX is not set/);
  });

  const errors: Array<[string, string[], () => RegExp]> = [
    [
      'a built service whose image was not pushed',
      ['services:\n  api:\n    build: .\n    image: 127.0.0.1:5000/shop/api:43\n'],
      () =>
        about(
          `services\\.api\\.image '127\\.0\\.0\\.1:5000\\/shop\\/api:43' is built by this project \\(build:\\) but was not pushed by this task`,
        ),
    ],
    [
      'a built service without an image name',
      ['services:\n  api:\n    build: .\n'],
      () => about('services\\.api is built by this project but has no image: name'),
    ],
    ['YAML that does not parse, with its line', ['services:\n  api:\n    image: [x\n  web: {}\n'], () => atLine('is not valid YAML: ')],
    ['services that is not a mapping', ['services:\n  - api\n'], () => about('services must be object')],
    [
      'an invalid image name',
      ['services:\n  api:\n    image: Shop/API:1\n'],
      () => about(`services\\.api\\.image 'Shop\\/API:1' is not a valid image reference`),
    ],
    [
      'a required variable that is unset',
      ['services:\n  api:\n    image: api:${NOPE:?set NOPE}\n'],
      () => about('services\\.api\\.image: required variable NOPE is not set: set NOPE\\.$'),
    ],
    ['an empty file', ['', 'services:\n  api:\n    image: 127.0.0.1:5000/shop/api:42\n'], () => about('the file is empty')],
  ];
  for (const [name, texts, message] of errors) {
    it(`fails on ${name}`, () =>
      assert.throws(
        () => lock(...texts),
        (err: unknown) => err instanceof FileError && message().test(err.message),
      ));
  }
});
