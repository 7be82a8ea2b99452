import { strict as assert } from 'node:assert';
import { escapeMarkdown, describeTotals, markdownTable, summaryTitle, writeSummaryMarkdown } from '../../../src/summary/markdown';
import { markdownToPlainText } from '../../../src/local-run/summary-text';
import type { ComposeTestRecord, DockerBuildTagRecord, ResultRecord } from '../../../src/summary/record';
import { RECORDS } from './fixtures';

describe('summary Markdown writer', () => {
  describe('escapeMarkdown', () => {
    const cases: Array<[string, string]> = [
      ['shop/api', 'shop/api'],
      ['1.4.2-rc.1', '1.4.2-rc.1'],
      ['a|b', 'a\\|b'],
      ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
      ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)\\>'],
      ['**bold** _it_ `code` ~~s~~', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~'],
      ['# heading', '\\# heading'],
      ['&amp;', '\\&amp;'],
      ['back\\slash', 'back\\\\slash'],
      ['two\nlines\r\nhere', 'two lines here'],
    ];
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => assert.equal(escapeMarkdown(input), expected));
    }
  });

  it('writes a table with escaped cells', () => {
    assert.deepEqual(markdownTable(['Tag', 'Ref'], [['a|b', 'x']]), ['| Tag | Ref |', '| --- | --- |', '| a\\|b | x |']);
  });

  describe('titles', () => {
    const cases: Array<[ResultRecord, string]> = [
      [RECORDS.DockerBuildTag, 'DockerBuildTag: 127.0.0.1:5000/shop/api'],
      [RECORDS.ComposeTest, 'ComposeTest: shop-ci passed'],
      [RECORDS.PushDigest, 'PushDigest: 1 image'],
      [RECORDS.ComposeToK8s, 'ComposeToK8s: shop deployed to qa'],
      [{ ...RECORDS.ComposeToK8s, action: 'render' } as ResultRecord, 'ComposeToK8s: shop rendered for qa'],
    ];
    for (const [record, title] of cases) it(`${record.task}: ${title}`, () => assert.equal(summaryTitle(record), title));
  });

  describe('test totals', () => {
    const cases: Array<[Parameters<typeof describeTotals>[0], string]> = [
      [
        { format: 'JUnit', files: 1, total: 3, passed: 2, failed: 0, skipped: 1 },
        'Tests: 2 passed, 0 failed, 1 skipped (3 in 1 JUnit file).',
      ],
      [{ format: 'NUnit', files: 2 }, 'Tests: 2 NUnit files published.'],
    ];
    for (const [totals, text] of cases) it(text, () => assert.equal(describeTotals(totals), text));
  });

  describe('each task says what a user checks', () => {
    const cases: Array<[ResultRecord, string[]]> = [
      [
        RECORDS.DockerBuildTag,
        [
          '### DockerBuildTag: 127.0.0.1:5000/shop/api',
          `Image sha256:${'1'.repeat(64)}, version 1.4.2, built with BuildKit (docker buildx).`,
          '| 1.4.2 | 127.0.0.1:5000/shop/api:1.4.2 |',
          '| org.opencontainers.image.revision | abc123 |',
        ],
      ],
      [
        RECORDS.ComposeTest,
        [
          'Project shop-ci: the tests passed (ready after 4.2 s, tests took 1.5 s, exit code 0).',
          'Tests: 2 passed, 0 failed, 1 skipped (3 in 1 JUnit file).',
          '| web | 2 | running |',
          'Logs: artifact [compose-logs](https://example.invalid/org/Shop/_build/results?buildId=7&view=artifacts&type=publishedArtifacts).',
        ],
      ],
      [
        RECORDS.PushDigest,
        [
          `| 127.0.0.1:5000/shop/api:1.4.2 | sha256:${'d'.repeat(64)} | yes |`,
          'Digests confirmed by the registry, recorded in /w/image-digests.json (artifact image-digests).',
        ],
      ],
      [
        RECORDS.ComposeToK8s,
        [
          'Namespace qa on https://127.0.0.1:6443: 2 objects applied, 1 pruned, 1 workloads rolled out.',
          `| web | 127.0.0.1:5000/shop/web@sha256:${'d'.repeat(64)} | yes |`,
          '| deployment/web | rolled out |',
          'Pruned: ConfigMap/old.',
        ],
      ],
    ];
    for (const [record, lines] of cases) {
      it(record.task, () => {
        const markdown = writeSummaryMarkdown(record);
        const all = markdown.split('\n');
        for (const line of lines) assert.ok(all.includes(line), `missing line ${line}\n${markdown}`);
        assert.ok(markdown.endsWith('\n') && !markdown.endsWith('\n\n'));
      });
    }
  });

  it('a failed ComposeTest says why, its escaped message intact', () => {
    const failed: ComposeTestRecord = {
      ...(RECORDS.ComposeTest as ComposeTestRecord),
      outcome: 'failed',
      failure: "The tests failed: test service 'it_*' exited with code 3.",
      exitCode: 3,
    };
    const markdown = writeSummaryMarkdown(failed);
    assert.match(markdown, /^### ComposeTest: shop-ci failed$/m);
    assert.match(markdown, /^The tests failed: test service 'it\\_\\\*' exited with code 3\.$/m);
  });

  it('neutralizes ##vso[ from a user value, and no value opens a link or a tag', () => {
    const base = RECORDS.DockerBuildTag as DockerBuildTagRecord;
    const record: ResultRecord = {
      ...base,
      image: { ...base.image, labels: { evil: '##vso[task.setvariable variable=x]1 [a](http://x) <b>' } },
    };
    const markdown = writeSummaryMarkdown(record);
    assert.doesNotMatch(markdown, /##vso\[/i);
    assert.doesNotMatch(markdown, /[^\\]\[a\]/);
    assert.doesNotMatch(markdown, /[^\\]<b>/);
  });

  it('reads back as the same words in plain text (outerloop run)', () => {
    const text = markdownToPlainText(writeSummaryMarkdown(RECORDS.ComposeTest));
    assert.equal(
      text,
      [
        'ComposeTest: shop-ci passed',
        '',
        'Project shop-ci: the tests passed (ready after 4.2 s, tests took 1.5 s, exit code 0).',
        '',
        'Tests: 2 passed, 0 failed, 1 skipped (3 in 1 JUnit file).',
        '',
        '  Service  Containers  Status',
        '  db       1           running',
        '  web      2           running',
        '',
        'Logs: artifact compose-logs (https://example.invalid/org/Shop/_build/results?buildId=7&view=artifacts&type=publishedArtifacts).',
        '',
      ].join('\n'),
    );
  });
});
