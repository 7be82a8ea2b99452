import { strict as assert } from 'node:assert';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../../../src/common/errors';
import {
  findDigest,
  formatDigestFile,
  parseDigestFile,
  readDigestFile,
  writeDigestFile,
  type DigestFile,
} from '../../../src/digests/digest-file';
import { testTempDir } from '../../support/temp';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);
const file: DigestFile = {
  version: 1,
  images: [
    { reference: '127.0.0.1:5000/shop/api:20261122.3', repository: '127.0.0.1:5000/shop/api', tag: '20261122.3', digest: D1 },
    { reference: 'nginx:1.27', repository: 'nginx', tag: '1.27', digest: D2 },
  ],
  pipeline: { buildNumber: '20261122.3', sourceVersion: 'abc', buildUri: 'vstfs:///Build/Build/1' },
};

describe('digest file', () => {
  it('round-trips through write and read, atomically, leaving no temp file', async () => {
    const dir = await testTempDir('digests-');
    const path = join(dir, 'sub', 'image-digests.json');
    await writeDigestFile(path, file);
    assert.deepEqual(await readDigestFile(path), file);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['image-digests.json']);
    assert.equal(await readFile(path, 'utf8'), formatDigestFile(file));
  });

  it('finds digests by repository and tag in any spelling', () => {
    assert.equal(findDigest(file, '127.0.0.1:5000/shop/api:20261122.3'), D1);
    assert.equal(findDigest(file, 'docker.io/library/nginx:1.27'), D2);
    assert.equal(findDigest(file, 'nginx:1.28'), undefined);
    assert.equal(findDigest(file, '127.0.0.1:5000/shop/web:20261122.3'), undefined);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{', /f\.json: is not valid JSON/],
    ['a wrong version', '{"version":2,"images":[]}', /f\.json: version must be 1, not 2\./],
    ['images not a list', '{"version":1,"images":{}}', /images must be a list/],
    [
      'a missing digest',
      '{"version":1,"images":[{"reference":"a:b","repository":"a","tag":"b"}]}',
      /images\[0\]\.digest must be a non-empty string/,
    ],
    [
      'a short digest',
      '{"version":1,"images":[{"reference":"a:b","repository":"a","tag":"b","digest":"sha256:12"}]}',
      /images\[0\]\.digest must be sha256:/,
    ],
    [
      'a bad reference',
      `{"version":1,"images":[{"reference":"A:b","repository":"A","tag":"b","digest":"${D1}"}]}`,
      /images\[0\] holds an invalid reference/,
    ],
  ];
  for (const [name, text, pattern] of bad) {
    it(`rejects ${name}, naming the file and key`, () => {
      assert.throws(
        () => parseDigestFile(text, 'f.json'),
        (err: unknown) => err instanceof FileError && pattern.test(err.message),
      );
    });
  }

  it('holds every field to its pattern: a logging command, line break or odd type is refused without being quoted', () => {
    const payload = '##vso[task.setvariable variable=PWNED]yes';
    /** The digest file as parsed JSON, which each case tampers with: a field may be set to a value of any type. */
    type ParsedDigestFile = { pipeline: Record<string, unknown>; images: Array<Record<string, unknown>> };
    const cases: Array<[string, (doc: ParsedDigestFile) => void]> = [
      ['pipeline.buildNumber', (d) => (d.pipeline.buildNumber = payload)],
      ['pipeline.buildNumber', (d) => (d.pipeline.buildNumber = '1\n2')],
      ['pipeline.buildNumber', (d) => (d.pipeline.buildNumber = 'x'.repeat(256))],
      ['pipeline.buildNumber', (d) => (d.pipeline.buildNumber = 7)],
      ['pipeline.sourceVersion', (d) => (d.pipeline.sourceVersion = `abc ${payload}`)],
      ['pipeline.buildUri', (d) => (d.pipeline.buildUri = `vstfs:///Build/Build/1\r${payload}`)],
      ['pipeline.buildUri', (d) => (d.pipeline.buildUri = 'https://example.test/build/1')],
      ['pipeline', (d) => Object.assign(d, { pipeline: [payload] })],
      ['images[0]', (d) => (d.images[0].tag = payload)],
      ['images[0]', (d) => (d.images[0].reference = `${payload}:1`)],
      ['images[0].digest', (d) => (d.images[0].digest = `sha256:${'1'.repeat(64)}\n${payload}`)],
    ];
    for (const [key, edit] of cases) {
      const doc = JSON.parse(formatDigestFile(file)) as ParsedDigestFile;
      edit(doc);
      assert.throws(
        () => parseDigestFile(JSON.stringify(doc), 'd.json'),
        (err: unknown) =>
          err instanceof FileError &&
          err.message.startsWith(`d.json: ${key} `) &&
          !err.message.includes('##vso[') &&
          !err.message.includes('\n'),
        `${key}: ${JSON.stringify(doc)}`,
      );
    }
    const fine = JSON.parse(formatDigestFile(file));
    fine.pipeline = { buildNumber: 'main #12 (rc-1) 2026.11.22_3', sourceVersion: 'C1234', buildUri: 'vstfs:///Build/Build/4242' };
    assert.deepEqual(parseDigestFile(JSON.stringify(fine), 'd.json').pipeline, fine.pipeline);
  });

  it('names a missing file', async () => {
    await assert.rejects(readDigestFile('/nonexistent/d.json'), /\/nonexistent\/d\.json: the digest file does not exist/);
  });
});
