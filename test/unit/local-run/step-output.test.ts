import { strict as assert } from 'node:assert';
import { SecretMasker } from '../../../src/local-run/secret-masker';
import { StepOutput, type OutputLine } from '../../../src/local-run/step-output';

function feed(kind: 'task' | 'script', lines: string[], debug = false): { output: StepOutput; shown: OutputLine[]; masker: SecretMasker } {
  const shown: OutputLine[] = [];
  const masker = new SecretMasker();
  const output = new StepOutput(kind, masker, (l) => shown.push(l), debug);
  for (const line of lines) output.line(`${line}\n`);
  return { output, shown, masker };
}

describe('StepOutput', () => {
  it("honours every logging command of a task and renders the agent's formatting lines", () => {
    const { output, shown, masker } = feed('task', [
      '##[command]docker build -t x .',
      '##[section]Building',
      '##[debug]hidden',
      '##vso[task.debug]hidden too',
      '##vso[task.setvariable variable=imageId;isOutput=true]sha256:abc',
      '##vso[task.setvariable variable=token;issecret=true]tok-value',
      '##vso[task.setsecret]other-secret',
      '##vso[task.logissue type=warning]careful',
      '##vso[task.issue type=error;]broken',
      '##vso[artifact.upload containerfolder=drop;artifactname=drop]/a/b',
      '##vso[results.publish type=JUnit;resultFiles=/r/1.xml,/r/2.xml;testRunTitle=t]',
      '##vso[task.prependpath]/opt/tool/bin',
      '##vso[build.updatebuildnumber]1.2.3',
      '##vso[task.setprogress value=50;]half way',
      '##vso[task.complete result=SucceededWithIssues;]done, mostly',
      '##vso[task.uploadsummary]/s.md',
      '##vso[task.addattachment type=outerloop.result;name=push-digest]/r.json',
      '##vso[task.uploadfile]/f.txt',
      'plain text',
    ]);
    assert.deepEqual(shown, [
      { kind: 'command', text: 'docker build -t x .' },
      { kind: 'section', text: 'Building' },
      { kind: 'warning', text: 'careful' },
      { kind: 'error', text: 'broken' },
      { kind: 'progress', percent: 50, text: 'half way' },
      { kind: 'note', text: "the logging command 'task.uploadfile' has no meaning in a local run; ignored." },
      { kind: 'text', text: 'plain text' },
    ]);
    assert.deepEqual(output.effects, {
      variables: [
        { name: 'imageId', value: 'sha256:abc', isOutput: true, isSecret: false, isReadOnly: false },
        { name: 'token', value: 'tok-value', isOutput: false, isSecret: true, isReadOnly: false },
      ],
      artifacts: [{ name: 'drop', path: '/a/b' }],
      testResults: [{ files: ['/r/1.xml', '/r/2.xml'], format: 'JUnit', title: 't' }],
      attachments: [
        { type: 'DistributedTask.Core.Summary', name: '', path: '/s.md' },
        { type: 'outerloop.result', name: 'push-digest', path: '/r.json' },
      ],
      prependPath: ['/opt/tool/bin'],
      buildNumber: '1.2.3',
      completion: { result: 'SucceededWithIssues', message: 'done, mostly' },
      warnings: 1,
      errors: 1,
    });
    assert.equal(masker.mask('tok-value other-secret'), '*** ***');
  });

  it('shows debug lines only with System.Debug', () => {
    const { shown } = feed('task', ['##[debug]one', '##vso[task.debug]two'], true);
    assert.deepEqual(shown, [
      { kind: 'debug', text: 'one' },
      { kind: 'debug', text: 'two' },
    ]);
  });

  it('lets a script set variables and secrets only, from the start of a line', () => {
    const { output, shown, masker } = feed('script', [
      '##vso[task.setvariable variable=a]1',
      '   ##vso[task.setsecret]script-secret',
      'x ##vso[task.setvariable variable=b]2',
      '##vso[task.complete result=Failed]no',
      '##vso[artifact.upload artifactname=x]/etc',
      '##[command]not a command in a script',
    ]);
    assert.deepEqual(
      output.effects.variables.map((v) => v.name),
      ['a'],
    );
    assert.equal(output.effects.completion, undefined);
    assert.deepEqual(output.effects.artifacts, []);
    assert.equal(masker.mask('script-secret'), '***');
    assert.deepEqual(shown, [
      { kind: 'text', text: 'x ##vso[task.setvariable variable=b]2' },
      {
        kind: 'note',
        text: "the logging command 'task.complete' is ignored in a script: outerloop run honours only task.setvariable and task.setsecret from scripts.",
      },
      { kind: 'text', text: '##vso[task.complete result=Failed]no' },
      {
        kind: 'note',
        text: "the logging command 'artifact.upload' is ignored in a script: outerloop run honours only task.setvariable and task.setsecret from scripts.",
      },
      { kind: 'text', text: '##vso[artifact.upload artifactname=x]/etc' },
      { kind: 'text', text: '##[command]not a command in a script' },
    ]);
  });
});
