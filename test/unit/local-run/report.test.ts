import { strict as assert } from 'node:assert';
import { SecretMasker } from '../../../src/local-run/secret-masker';
import {
  ConsoleReporter,
  Paint,
  fitToWidth,
  formatDuration,
  formatStepSummaries,
  formatSummary,
  type StepRecord,
} from '../../../src/local-run/report';

const view = (index: number, label: string, what: string) => ({ index, total: 4, label, what });
const records: StepRecord[] = [
  { view: view(1, 'Build the web image', 'DockerBuildTag@1'), result: 'Succeeded', durationMs: 3210 },
  {
    view: view(2, 'Test the composed app from outside', 'ComposeTest@1'),
    result: 'Failed',
    durationMs: 65_400,
    message: 'The test command exited with code 1.\nmore',
  },
  { view: view(3, 'Push the images', 'PushDigest@1'), result: 'Skipped', message: "condition 'succeeded()' was false" },
  { view: view(4, 'Clean up', 'script'), result: 'SucceededWithIssues', durationMs: 40, message: 'Bash exited with code 2.' },
];

describe('the run report', () => {
  it('formats durations', () => {
    assert.deepEqual(
      [formatDuration(40), formatDuration(3210), formatDuration(65_400), formatDuration(3_600_000)],
      ['0.0s', '3.2s', '1m 05s', '60m 00s'],
    );
  });

  it('closes with a summary like the run view: each step, its result, its duration, and why it failed or was skipped', () => {
    const text = formatSummary({ result: 'Failed', durationMs: 68_700, records, buildNumber: '20261122.3' }, new Paint(false));
    assert.equal(
      text,
      [
        '',
        'Summary of build 20261122.3',
        '  Succeeded               3.2s  Build the web image (DockerBuildTag@1)',
        '  Failed                1m 05s  Test the composed app from outside (ComposeTest@1)',
        '                                The test command exited with code 1.',
        '  Skipped                       Push the images (PushDigest@1)',
        "                                condition 'succeeded()' was false",
        '  SucceededWithIssues     0.0s  Clean up (script)',
        '                                Bash exited with code 2.',
        '',
        'Result: Failed in 1m 09s (1 succeeded, 1 succeeded with issues, 1 failed, 1 skipped)',
        '',
      ].join('\n'),
    );
  });

  it('prints the steps’ summaries as plain text before its own, and a summary cannot smuggle a logging command', () => {
    const summaries = [
      { markdown: '### PushDigest: 1 image\n\n| Reference | Digest | Verified |\n| --- | --- | --- |\n| r/a:1 | sha256:d | yes |\n' },
      { markdown: '### DockerBuildTag: r/a\n\nImage \\#\\#vso\\[task.complete\\] built with **BuildKit**.\n' },
    ];
    assert.equal(
      formatStepSummaries(summaries, new Paint(false)),
      [
        '',
        'What the steps did',
        '',
        'PushDigest: 1 image',
        '',
        '  Reference  Digest    Verified',
        '  r/a:1      sha256:d  yes',
        '',
        'DockerBuildTag: r/a',
        '',
        'Image ##vso[task.complete] built with BuildKit.',
        '',
      ].join('\n'),
    );
    let out = '';
    const reporter = new ConsoleReporter({ write: (t: string) => (out += t) }, new SecretMasker(), { tty: false, colour: false });
    reporter.start({ file: 'p.yml', buildNumber: '1', steps: 0 });
    reporter.finish({ result: 'Succeeded', durationMs: 1, records: [], summaries });
    assert.match(out, /What the steps did\n\nPushDigest: 1 image/);
    assert.doesNotMatch(out, /##vso\[/);
    assert.match(out, /Image ##~vso\[task\.complete\] built with BuildKit\./);
  });

  it('colours only when asked, and masks and neutralizes everything it writes', () => {
    let out = '';
    const masker = new SecretMasker();
    masker.add('hunter2');
    const reporter = new ConsoleReporter(
      {
        write: (t: string) => {
          out += t;
        },
      },
      masker,
      { tty: false, colour: false },
    );
    reporter.start({ file: 'p.yml', buildNumber: '1', steps: 1 });
    reporter.stepStarted(records[0].view);
    reporter.line(records[0].view, { kind: 'text', text: 'pw hunter2 ##vso[task.complete result=Failed]' });
    reporter.line(records[0].view, { kind: 'command', text: 'docker login -p hunter2' });
    reporter.stepFinished(records[0]);
    reporter.close();
    assert.ok(!out.includes('\x1b['), 'no escape codes off a terminal');
    assert.ok(!out.includes('hunter2'));
    assert.ok(!out.includes('##vso['));
    assert.match(out, /^pw \*\*\* ##~vso\[task\.complete result=Failed\]$/m);
    assert.match(out, /^> docker login -p \*\*\*$/m);
    assert.match(out, /^==> \[1\/4\] Build the web image \(DockerBuildTag@1\)$/m);
    assert.match(out, /^<== Succeeded in 3\.2s$/m);

    let tty = '';
    const colour = new ConsoleReporter(
      {
        write: (t: string) => {
          tty += t;
        },
      },
      masker,
      { tty: true, colour: true, now: () => 0 },
    );
    colour.stepStarted(records[0].view);
    colour.line(records[0].view, { kind: 'progress', percent: 40, text: 'pushing' });
    colour.line(records[0].view, { kind: 'text', text: 'x' });
    colour.close();
    assert.match(tty, /\x1b\[34m==> \[1\/4\]/, 'coloured step header');
    assert.match(tty, /▶ \[1\/4\] Build the web image {2}0\.0s {2}40% pushing/, 'live status line with the progress');
    assert.match(tty, /\r\x1b\[2K/, 'the status line is cleared before output');
  });

  it('keeps the live status line on one row of the terminal, so clearing it with \\r leaves nothing behind', () => {
    const masker = new SecretMasker();
    masker.add('s3cret-value-1234');
    let tty = '';
    const stream = {
      columns: 40,
      write: (t: string) => {
        tty += t;
      },
    };
    const reporter = new ConsoleReporter(stream, masker, { tty: true, colour: false, now: () => 0 });
    const long = view(1, 'Deploy s3cret-value-1234 to the production cluster in the west region', 'ComposeToK8s@1');
    reporter.stepStarted(long);
    reporter.line(long, { kind: 'progress', percent: 40, text: 'applying' });
    reporter.close();
    const statusLines = tty
      .split('\r\x1b[2K')
      .map((chunk) => chunk.split('\n').pop() ?? '')
      .filter((l) => l.startsWith('▶'));
    assert.ok(statusLines.length > 0, tty);
    for (const line of statusLines) {
      assert.ok(Array.from(line).length <= 39, `fits in 39 columns: ${JSON.stringify(line)}`);
      assert.match(
        line,
        /^▶ \[1\/4\] Deploy \*\*\* to.*… {2}0\.0s( {2}40% applying)?$/,
        'the label gives way; the elapsed time and the progress stay',
      );
    }
    assert.ok(!tty.includes('s3cret'), 'the secret is masked before the line is cut');
  });

  it('cuts text to a width by characters, marking the cut', () => {
    assert.equal(fitToWidth('abcdef', 4), 'abc…');
    assert.equal(fitToWidth('abcd', 4), 'abcd');
    assert.equal(fitToWidth('▶ äöü', 3), '▶ …');
    assert.equal(fitToWidth('abcdef', undefined), 'abcdef');
  });
});
