import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDigestFile } from '../../src/digests/digest-file';
import { agentVariables, describeRun, runVsixTask } from '../support/task-harness';
import { requireTestBed } from '../support/testbed';
import { vsixTaskDir } from '../support/vsix';

// Logging-command injection: payloads planted in every field of every file a task reads, in every
// input, and in a file's path must never reach the agent as a command. Each run's whole output is
// scanned; the agent acts on `##vso[` anywhere in a line, in any case.

const PAYLOADS = [
  '##vso[task.setvariable variable=PWNED]yes',
  '##VSO[task.setvariable variable=PWNED_UPPER]yes',
  '##vso[task.complete result=Succeeded;]pwned',
];
const P = PAYLOADS[0];
const DIGEST = `sha256:${'d'.repeat(64)}`;

function assertNoInjection(run: Awaited<ReturnType<typeof runVsixTask>>): void {
  for (const line of run.output.split('\n')) {
    assert.ok(
      !/##vso\[task\.setvariable variable=PWNED/i.test(line) && !/##vso\[task\.complete result=Succeeded;\]pwned/i.test(line),
      `a planted logging command reached the agent: ${line}\n${describeRun(run)}`,
    );
  }
  assert.equal(
    Object.keys(run.variables).find((v) => /pwned/i.test(v)),
    undefined,
    describeRun(run),
  );
}

const folders: string[] = [];
after(async () => Promise.all(folders.map((f) => rm(f, { recursive: true, force: true }))));

async function workspace(): Promise<{ variables: Record<string, string>; sources: string }> {
  const variables = await agentVariables({ 'Build.BuildNumber': '20261129.1' });
  folders.push(variables['Agent.WorkFolder']);
  return { variables, sources: variables['Build.SourcesDirectory'] };
}

describe('logging-command injection (tasks from the .vsix)', () => {
  for (const folder of ['docker-build-tag', 'compose-test', 'push-digest', 'compose-to-k8s']) {
    it(`${folder}: every input holding a logging command`, async () => {
      const manifest = JSON.parse(readFileSync(join(await vsixTaskDir(folder), 'task.json'), 'utf8')) as {
        inputs: Array<{ name: string; type: string }>;
      };
      const inputs: Record<string, string> = {};
      manifest.inputs.forEach((input, i) => {
        if (input.type !== 'boolean' && input.type !== 'int')
          inputs[input.name] = `x ${PAYLOADS[i % PAYLOADS.length]}\n${PAYLOADS[(i + 1) % PAYLOADS.length]}`;
      });
      const { variables, sources } = await workspace();
      const run = await runVsixTask(folder, { inputs, variables, cwd: sources });
      assert.equal(run.result, 'Failed', describeRun(run));
      assertNoInjection(run);
    });
  }

  it("compose-to-k8s: every field of the compose file, the .env and the environment input, and the digest file's path", async () => {
    const { variables, sources } = await workspace();
    const drop = join(sources, `drop ${P}`);
    await mkdir(drop, { recursive: true });
    const images = [{ reference: '127.0.0.1:5000/inj/api:1', repository: '127.0.0.1:5000/inj/api', tag: '1', digest: DIGEST }];
    await writeFile(
      join(drop, 'image-digests.json'),
      formatDigestFile({
        version: 1,
        images,
        pipeline: { buildNumber: '20261129.1', sourceVersion: 'abc', buildUri: 'vstfs:///Build/Build/1' },
      }),
    );
    await writeFile(join(sources, '.env'), `NOTE="${PAYLOADS[1]}\n${PAYLOADS[2]}"\n`);
    const compose = [
      'name: inj',
      'services:',
      '  api:',
      '    image: 127.0.0.1:5000/inj/api:1',
      `    command: ["sh", "-c", ${JSON.stringify(`echo ${P}`)}]`,
      `    entrypoint: [${JSON.stringify(P)}]`,
      `    working_dir: ${JSON.stringify(`/${P}`)}`,
      '    environment:',
      `      PLAIN: ${JSON.stringify(P)}`,
      '      NOTE: ${NOTE}',
      '      FROM_INPUT: ${FROM_INPUT}',
      '    labels:',
      `      com.example.note: ${JSON.stringify(`${P}\n${PAYLOADS[1]}`)}`,
      `    healthcheck: {test: ["CMD", ${JSON.stringify(P)}]}`,
      `    x-note: ${JSON.stringify(P)}`,
      `    unknown_key: ${JSON.stringify(P)}`,
      '    configs: [{source: conf, target: /etc/conf}]',
      'configs:',
      `  conf: {content: ${JSON.stringify(`${P}\n${PAYLOADS[2]}\n`)}}`,
    ].join('\n');
    await writeFile(join(sources, 'compose.yaml'), `${compose}\n`);
    const run = await runVsixTask('compose-to-k8s', {
      inputs: {
        action: 'render',
        composeFiles: 'compose.yaml',
        environment: `FROM_INPUT=${PAYLOADS[2]}`,
        digestFile: join(drop, 'image-digests.json'),
        namespace: 'inj',
      },
      variables,
      cwd: sources,
    });
    assert.equal(run.result, 'Succeeded', describeRun(run));
    assert.ok(
      run.output.includes('##~vso[task.setvariable variable=PWNED]'),
      `the manifests were printed, neutralized\n${describeRun(run)}`,
    );
    assertNoInjection(run);
  });

  for (const field of ['buildNumber', 'sourceVersion', 'buildUri'] as const) {
    it(`compose-to-k8s: a digest file whose pipeline.${field} holds a logging command is refused, naming the field`, async () => {
      const { variables, sources } = await workspace();
      await writeFile(join(sources, 'compose.yaml'), 'services:\n  api:\n    image: 127.0.0.1:5000/inj/api:1\n');
      const images = [{ reference: '127.0.0.1:5000/inj/api:1', repository: '127.0.0.1:5000/inj/api', tag: '1', digest: DIGEST }];
      const pipeline = { buildNumber: '1', sourceVersion: 'abc', buildUri: 'vstfs:///Build/Build/1', [field]: `1\n${P}` };
      await writeFile(join(sources, 'image-digests.json'), formatDigestFile({ version: 1, images, pipeline }));
      const run = await runVsixTask('compose-to-k8s', {
        inputs: { action: 'render', composeFiles: 'compose.yaml', digestFile: 'image-digests.json', namespace: 'inj' },
        variables,
        cwd: sources,
      });
      assert.equal(run.result, 'Failed', describeRun(run));
      assert.match(run.message ?? '', new RegExp(`image-digests\\.json: pipeline\\.${field} must be `));
      assertNoInjection(run);
    });
  }

  /** A compose file with a logging command in every string field a task may echo. */
  function plantedCompose(image: string, build: boolean, unknownKey = true): string {
    return [
      'services:',
      '  app:',
      `    image: ${image}`,
      ...(build ? ['    build: .'] : []),
      `    command: ["sh", "-c", ${JSON.stringify(`echo '${P}'`)}]`,
      '    environment:',
      `      PLAIN: ${JSON.stringify(P)}`,
      '    labels:',
      `      note: ${JSON.stringify(`${PAYLOADS[1]}\n${PAYLOADS[2]}`)}`,
      `    x-note: ${JSON.stringify(P)}`,
      ...(unknownKey ? [`    unknown_key: ${JSON.stringify(P)}`] : []),
      '',
    ].join('\n');
  }

  it('push-digest: every field of the compose file it locks (the push then fails: nothing was built)', async function () {
    this.timeout(120_000);
    const bed = requireTestBed(this);
    const { variables, sources } = await workspace();
    const image = `${bed.registry}/outerloop-inj/missing-${process.pid}:1`;
    await writeFile(join(sources, 'docker-compose.yml'), plantedCompose(image, true));
    await writeFile(join(sources, 'Dockerfile'), 'FROM scratch\n');
    const run = await runVsixTask('push-digest', {
      inputs: { images: image, composeFiles: 'docker-compose.yml', retries: '0' },
      variables,
      cwd: sources,
      baseEnv: bed.env,
    });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.match(run.message ?? '', /^docker push .* failed/, 'the compose file was read and checked before the push');
    assertNoInjection(run);
  });

  it('compose-test: every field of the compose file (compose config reads it; the image is missing and pull is never)', async function () {
    this.timeout(120_000);
    const bed = requireTestBed(this);
    const { variables, sources } = await workspace();
    await writeFile(join(sources, 'docker-compose.yml'), plantedCompose(`outerloop-inj/missing-${process.pid}:1`, false, false));
    const run = await runVsixTask('compose-test', {
      inputs: { composeFiles: 'docker-compose.yml', pull: 'never', testCommand: `echo ${P}` },
      variables,
      cwd: sources,
      baseEnv: bed.env,
    });
    assert.equal(run.result, 'Failed', describeRun(run));
    assert.doesNotMatch(run.message ?? '', /Compose could not read/, 'compose config read the file');
    assertNoInjection(run);
  });
});
