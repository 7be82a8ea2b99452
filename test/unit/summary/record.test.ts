import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import type { PipelineOutput, TaskEnvironment } from '../../../src/pipeline/interfaces';
import { attachmentName, reportOutcome } from '../../../src/summary/publish';
import { RESULT_ATTACHMENT_TYPE, writeResultRecord, type ResultRecord } from '../../../src/summary/record';
import { composeTestRecord, composeToK8sRecord, pushDigestRecord, summarizeServices } from '../../../src/summary/records';
import { countTestResults } from '../../../src/summary/test-totals';
import { readImages } from '../../../src/push-digest/inputs';
import { RECORDS } from './fixtures';

describe('result record (JSON) writer', () => {
  it('writes sorted keys, leaves out undefined fields, ends with one newline', () => {
    const text = writeResultRecord({ ...RECORDS.PushDigest, lockedComposeFile: undefined } as ResultRecord);
    assert.ok(text.endsWith('}\n'));
    const keys = Object.keys(JSON.parse(text));
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(!keys.includes('lockedComposeFile'));
    assert.deepEqual(Object.keys(JSON.parse(text).images[0]), ['digest', 'reference', 'repository', 'tag', 'verified']);
  });

  describe('attachment names', () => {
    const cases: Array<[ResultRecord['task'], string]> = [
      ['DockerBuildTag', 'docker-build-tag'],
      ['ComposeTest', 'compose-test'],
      ['PushDigest', 'push-digest'],
      ['ComposeToK8s', 'compose-to-k8s'],
    ];
    for (const [task, name] of cases) it(`${task} → ${name}`, () => assert.equal(attachmentName(RECORDS[task]), name));
  });

  it('reportOutcome attaches the summary and the record, with the schema version and the step’s place', () => {
    const output = { uploadSummary: sinon.spy(), addAttachment: sinon.spy() } as unknown as PipelineOutput &
      Record<'uploadSummary' | 'addAttachment', sinon.SinonSpy>;
    const vars: Record<string, string> = {
      'System.StageDisplayName': 'Build',
      'System.JobDisplayName': 'Image',
      'Task.DisplayName': 'Push',
    };
    const env = { input: () => undefined, endpoint: () => undefined, variable: (n: string) => vars[n] } as TaskEnvironment;
    const { schemaVersion: _v, place: _p, ...body } = RECORDS.PushDigest;
    reportOutcome({ env, output }, body as Parameters<typeof reportOutcome>[1]);
    assert.equal(output.uploadSummary.firstCall.args[0], 'PushDigest');
    assert.match(output.uploadSummary.firstCall.args[1], /^### PushDigest: 1 image\n/);
    const [type, name, content] = output.addAttachment.firstCall.args;
    assert.deepEqual([type, name], [RESULT_ATTACHMENT_TYPE, 'push-digest']);
    assert.deepEqual(
      JSON.parse(content),
      JSON.parse(writeResultRecord({ ...RECORDS.PushDigest, place: { stage: 'Build', job: 'Image', step: 'Push' } })),
    );
  });

  describe('JUnit totals', () => {
    const junit = `<?xml version="1.0"?><testsuites><testsuite name="s" tests="4">
      <testcase name="a" classname="c"/>
      <testcase name="b" classname="c"><failure message="boom">x</failure></testcase>
      <testcase name="c" classname="c"><skipped/></testcase>
      <testcase name="d" classname="c"><error message="e"/></testcase>
      <testcase name="e" classname="c"><system-out>ok</system-out></testcase>
    </testsuite></testsuites>`;
    const cases: Array<[string, string[], object]> = [
      ['JUnit', [junit], { format: 'JUnit', files: 1, total: 5, passed: 2, failed: 2, skipped: 1 }],
      [
        'JUnit',
        [junit, '<testsuite><testcase name="z"/></testsuite>'],
        { format: 'JUnit', files: 2, total: 6, passed: 3, failed: 2, skipped: 1 },
      ],
      ['JUnit', ['<testsuite/>'], { format: 'JUnit', files: 1, total: 0, passed: 0, failed: 0, skipped: 0 }],
      ['NUnit', ['<test-run/>'], { format: 'NUnit', files: 1 }],
    ];
    for (const [format, texts, expected] of cases) {
      it(`${format}, ${texts.length} file(s) → ${JSON.stringify(expected)}`, () =>
        assert.deepEqual(countTestResults(format, texts), expected));
    }
  });

  describe('task records from what the tasks know', () => {
    it('PushDigest: the repository and tag of each reference, verified as the input said', () => {
      const [api] = readImages(['127.0.0.1:5000/shop/api:1.4.2']);
      const body = pushDigestRecord([{ ...api, digest: 'sha256:x' }], { verified: false, digestFile: 'd.json' });
      assert.deepEqual(body, {
        task: 'PushDigest',
        digestFile: 'd.json',
        lockedComposeFile: undefined,
        artifact: undefined,
        images: [
          {
            reference: '127.0.0.1:5000/shop/api:1.4.2',
            repository: '127.0.0.1:5000/shop/api',
            tag: '1.4.2',
            digest: 'sha256:x',
            verified: false,
          },
        ],
      });
    });

    it('ComposeToK8s: images as they went into the manifests; a render has no workloads', () => {
      const body = composeToK8sRecord({
        action: 'render',
        project: 'shop',
        namespace: 'qa',
        objects: ['Service/web'],
        manifestsFile: 'm.yaml',
        images: [{ service: 'web', image: 'shop/web', resolved: 'shop/web@sha256:x', pinned: true, built: true }],
      });
      assert.deepEqual(body, {
        task: 'ComposeToK8s',
        action: 'render',
        project: 'shop',
        namespace: 'qa',
        cluster: undefined,
        objects: ['Service/web'],
        pruned: [],
        workloads: [],
        images: [{ service: 'web', image: 'shop/web@sha256:x', pinned: true }],
        manifestsFile: 'm.yaml',
      });
    });

    describe('ComposeTest', () => {
      const cases: Array<[string, Parameters<typeof composeTestRecord>[0], Partial<Record<string, unknown>>]> = [
        [
          'passed, logs linked to the run’s artifacts',
          {
            project: 'p',
            containers: [],
            logsArtifact: 'logs',
            run: { collectionUri: 'https://host.invalid/org', project: 'My Shop', buildId: '12' },
          },
          {
            outcome: 'passed',
            logsUrl: 'https://host.invalid/org/My%20Shop/_build/results?buildId=12&view=artifacts&type=publishedArtifacts',
          },
        ],
        [
          'failed, no run address: no link',
          { project: 'p', containers: [], failure: 'boom', logsArtifact: 'logs' },
          { outcome: 'failed', failure: 'boom', logsUrl: undefined },
        ],
        [
          'no logs artifact: no link',
          { project: 'p', containers: [], run: { collectionUri: 'https://h.invalid/', project: 'x', buildId: '1' } },
          { logsUrl: undefined },
        ],
      ];
      for (const [name, facts, expected] of cases) {
        it(name, () => {
          const body = composeTestRecord(facts) as unknown as Record<string, unknown>;
          for (const [k, v] of Object.entries(expected)) assert.deepEqual(body[k], v, k);
        });
      }
    });

    it('services: one line each, sorted, one-off containers left out, the worst status shown', () => {
      assert.deepEqual(
        summarizeServices([
          { service: 'web', status: 'running', oneOff: false },
          { service: 'db', status: 'running', oneOff: false },
          { service: 'web', status: 'exited', oneOff: false },
          { service: 'tests', status: 'exited', oneOff: true },
        ]),
        [
          { name: 'db', containers: 1, status: 'running' },
          { name: 'web', containers: 2, status: 'exited' },
        ],
      );
    });
  });
});
