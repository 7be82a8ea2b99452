import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import { InputReader } from '../../../src/pipeline/inputs';
import type { ServiceEndpoint, TaskEnvironment } from '../../../src/pipeline/interfaces';
import { readPushDigestInputs } from '../../../src/push-digest/inputs';

const VARIABLES: Record<string, string> = {
  'Build.ArtifactStagingDirectory': '/agent/a',
  'Build.SourcesDirectory': '/agent/s',
  'System.DefaultWorkingDirectory': '/agent/s',
  'Build.BuildNumber': '20261122.3',
  'Build.SourceVersion': 'abc123',
  'Build.BuildUri': 'vstfs:///Build/Build/42',
};
const ENDPOINT: ServiceEndpoint = {
  id: 'reg',
  url: 'http://127.0.0.1:5001',
  scheme: 'UsernamePassword',
  auth: { username: 'ci', password: 'pw' },
  data: {},
};

function read(inputs: Record<string, string>, variables = VARIABLES) {
  const env: TaskEnvironment = {
    input: (name) => (inputs[name]?.trim() ? inputs[name] : undefined),
    variable: (name) => variables[name],
    endpoint: (id) => (id === 'reg' ? ENDPOINT : undefined),
  };
  return readPushDigestInputs(new InputReader(env));
}

describe('readPushDigestInputs', () => {
  it('reads the defaults: digest file in the staging folder, verify on, 3 retries, the pipeline facts', () => {
    const inputs = read({
      images: '127.0.0.1:5000/shop/api:1\n\n127.0.0.1:5000/shop/web, 127.0.0.1:5000/shop/api:1',
      artifactName: 'image-digests',
    });
    assert.deepEqual(
      inputs.images.map((i) => i.reference),
      ['127.0.0.1:5000/shop/api:1', '127.0.0.1:5000/shop/web:latest'],
    );
    assert.equal(inputs.digestFile, '/agent/a/image-digests.json');
    assert.equal(inputs.artifactName, 'image-digests');
    assert.equal(inputs.credentials, undefined);
    assert.deepEqual(inputs.compose, { files: [], workingDir: '/agent/s', environment: {}, profiles: [] });
    assert.equal(inputs.lockedComposeFile, undefined);
    assert.equal(inputs.verify, true);
    assert.equal(inputs.retries, 3);
    assert.deepEqual(inputs.pipeline, { buildNumber: '20261122.3', sourceVersion: 'abc123', buildUri: 'vstfs:///Build/Build/42' });
  });

  it('reads the compose inputs every compose-reading task has: environment, env file, profiles, project name', () => {
    const inputs = read({
      images: 'r.io/a:1',
      composeFiles: 'docker-compose.yml',
      environment: 'TAG=42\nREGISTRY=r.io',
      envFile: 'ci.env',
      profiles: 'web, jobs',
      projectName: 'shop',
    });
    assert.deepEqual(inputs.compose, {
      files: ['docker-compose.yml'],
      workingDir: '/agent/s',
      environment: { TAG: '42', REGISTRY: 'r.io' },
      envFiles: ['/agent/s/ci.env'],
      profiles: ['web', 'jobs'],
      projectName: 'shop',
    });
  });

  it('reads the service connection, relative paths from the sources folder, and the locked file', () => {
    const inputs = read({
      images: 'r.io/a:1',
      containerRegistry: 'reg',
      digestFile: 'out/d.json',
      composeFiles: 'docker-compose.yml\n/abs/prod.yml',
      verify: 'false',
      retries: '0',
    });
    assert.deepEqual(inputs.credentials, { registry: '127.0.0.1:5001', username: 'ci', password: 'pw' });
    assert.equal(inputs.digestFile, '/agent/s/out/d.json');
    assert.deepEqual(
      inputs.compose.files,
      ['docker-compose.yml', '/abs/prod.yml'],
      'as written: relative ones start at the working directory',
    );
    assert.equal(inputs.compose.workingDir, '/agent/s');
    assert.equal(inputs.lockedComposeFile, '/agent/a/docker-compose.locked.yml');
    assert.equal(inputs.verify, false);
    assert.equal(inputs.retries, 0);
  });

  it('treats a filePath input the agent filled with the sources folder as not set', () => {
    assert.equal(read({ images: 'r.io/a:1', digestFile: '/agent/s/' }).digestFile, '/agent/a/image-digests.json');
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['no images', {}, "Input 'images' is required: the image references (repo:tag) to push, one per line."],
    [
      'an invalid reference',
      { images: 'r.io/a:1\nr.io/Shop:1' },
      "Input 'images' entry 2: 'r.io/Shop:1' is not a valid image reference: the repository part 'Shop' must be lower-case.",
    ],
    [
      'a digest reference',
      { images: `r.io/a@sha256:${'a'.repeat(64)}` },
      "Input 'images' entry 1: 'r.io/a@sha256:" +
        'a'.repeat(64) +
        "' holds a digest; list the repo:tag references to push, and this task records their digests.",
    ],
    [
      'an unknown connection',
      { images: 'r.io/a:1', containerRegistry: 'nope' },
      "Input 'containerRegistry' names service connection 'nope', which this job cannot see; check the connection's name and that the pipeline is authorized to use it.",
    ],
    ['retries out of range', { images: 'r.io/a:1', retries: '11' }, "Input 'retries' must be at most 10, not 11."],
    ['verify not a boolean', { images: 'r.io/a:1', verify: 'yes' }, "Input 'verify' must be true or false, not 'yes'."],
    [
      'a forbidden artifact name',
      { images: 'r.io/a:1', artifactName: 'a/b' },
      `Input 'artifactName' must be an artifact name, without any of " / \\ : < > | * ?, not 'a/b'.`,
    ],
    [
      'an undefined variable in a compose file',
      { images: 'r.io/a:1', composeFiles: '$(app)/docker-compose.yml' },
      "Input 'composeFiles' holds '$(app)', a variable this job does not define.",
    ],
    [
      'an undefined variable in a path',
      { images: 'r.io/a:1', digestFile: '$(Nope.Dir)/d.json' },
      "Input 'digestFile' holds '$(Nope.Dir)', a variable this job does not define.",
    ],
    [
      'a locked file that is a compose file',
      { images: 'r.io/a:1', composeFiles: 'a.yml', lockedComposeFile: '/agent/s/a.yml' },
      "Input 'lockedComposeFile' names '/agent/s/a.yml', which is also listed in composeFiles: the locked file is written beside the compose files, never over one of them.",
    ],
    [
      'a digest file that is a compose file',
      { images: 'r.io/a:1', composeFiles: 'docker-compose.yml', digestFile: 'docker-compose.yml' },
      "Input 'digestFile' names '/agent/s/docker-compose.yml', which is also listed in composeFiles: the digest file is an output, and the task never writes over or deletes one of its inputs.",
    ],
  ];
  for (const [name, inputs, message] of bad) {
    it(`refuses ${name}, naming the input`, () =>
      assert.throws(
        () => read(inputs),
        (err: unknown) => err instanceof InputError && err.message === message,
      ));
  }

  it('needs a digest file path when the job has no staging folder', () => {
    assert.throws(
      () => read({ images: 'r.io/a:1' }, {}),
      /^InputError: Input 'digestFile' is required here: this job has no Build.ArtifactStagingDirectory/,
    );
  });
});
