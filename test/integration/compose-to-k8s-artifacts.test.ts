import { strict as assert } from 'node:assert';
import JSZip from 'jszip';
import { ArtifactError, AzureDevOpsBuildArtifacts, pickArtifactFile } from '../../src/azdo/build-artifacts';
import { formatDigestFile } from '../../src/digests/digest-file';
import { startFakeAzureDevOps, type FakeAzureDevOps } from '../support/fake-azure-devops';

const TOKEN = 'job-access-token-0123';
const DIGESTS = formatDigestFile({
  version: 1,
  images: [{ reference: '127.0.0.1:5000/shop/api:7', repository: '127.0.0.1:5000/shop/api', tag: '7', digest: `sha256:${'b'.repeat(64)}` }],
  pipeline: { buildNumber: '7' },
});

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [path, text] of Object.entries(files)) zip.file(path, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

describe('AzureDevOpsBuildArtifacts (azure-devops-node-api against a fake Azure DevOps on 127.0.0.1)', () => {
  let server: FakeAzureDevOps;

  before(async () => {
    server = await startFakeAzureDevOps({
      collectionPath: '/contoso/',
      project: 'Shop Team',
      token: TOKEN,
      artifacts: {
        1234: { 'image-digests': await zipOf({ 'image-digests/image-digests.json': DIGESTS, 'image-digests/README.txt': 'x' }) },
        1235: { 'image-digests': await zipOf({ 'image-digests/notes.txt': 'no digests here' }) },
      },
    });
  });
  after(async () => server.close());

  const client = (token = TOKEN) =>
    new AzureDevOpsBuildArtifacts({ collectionUri: server.collectionUri, project: 'Shop Team', accessToken: token });

  it("downloads the artifact with the job's bearer token and reads the digest file from the zip", async () => {
    const file = await client().readFile(1234, 'image-digests', 'image-digests.json');
    assert.deepEqual(file, { path: 'image-digests/image-digests.json', text: DIGESTS });
    const download = server.requests.find((r) => r.method === 'GET' && r.url.includes('/_apis/build/builds/1234/artifacts'));
    assert.ok(download, JSON.stringify(server.requests));
    assert.equal(download.url, '/contoso/Shop%20Team/_apis/build/builds/1234/artifacts?artifactName=image-digests');
    assert.equal(download.authorization, `Bearer ${TOKEN}`);
  });

  const failures: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'a missing artifact',
      () => client().readFile(1234, 'drop', 'image-digests.json'),
      /^Build 1234 in project Shop Team has no artifact named 'drop' \(HTTP 404\), or the build does not exist\.$/,
    ],
    [
      'a missing build',
      () => client().readFile(999, 'image-digests', 'image-digests.json'),
      /^Build 999 in project Shop Team has no artifact named 'image-digests'/,
    ],
    ['a refused token', () => client('wrong-token').readFile(1234, 'image-digests', 'image-digests.json'), /access token/],
    [
      'an artifact without the file',
      () => client().readFile(1235, 'image-digests', 'image-digests.json'),
      /^The artifact 'image-digests' of build 1235 has no file named image-digests\.json \(it holds: image-digests\/notes\.txt\)\.$/,
    ],
  ];
  for (const [what, call, expected] of failures) {
    it(`fails in one sentence on ${what}`, async () => {
      await assert.rejects(call(), (err: unknown) => err instanceof ArtifactError && expected.test(err.message));
    });
  }

  it('fails in one sentence when the server cannot be reached', async () => {
    const gone = new AzureDevOpsBuildArtifacts({ collectionUri: 'http://127.0.0.1:9/contoso/', project: 'p', accessToken: TOKEN });
    await assert.rejects(
      gone.readFile(1, 'a', 'image-digests.json'),
      (err: unknown) =>
        err instanceof ArtifactError &&
        /^Could not download artifact 'a' of build 1 from http:\/\/127\.0\.0\.1:9\/contoso\/: /.test(err.message),
    );
  });

  it('picks the named file (the shallowest), else the only JSON file', () => {
    assert.equal(pickArtifactFile(['a/b/image-digests.json', 'a/image-digests.json'], 'image-digests.json'), 'a/image-digests.json');
    assert.equal(pickArtifactFile(['a/digests.json', 'a/x.txt'], 'image-digests.json'), 'a/digests.json');
    assert.equal(pickArtifactFile(['a.json', 'b.json'], 'image-digests.json'), undefined);
  });
});
