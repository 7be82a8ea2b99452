import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import type { PipelineVariables } from '../../../src/pipeline/interfaces';
import { classifyRef, parseSemanticVersion, planTags, sanitizeTag } from '../../../src/docker-build-tag/tags';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const LONG = 'x'.repeat(140);

interface Case {
  name: string;
  tags?: string[];
  autoTags?: boolean;
  latestBranch?: string;
  facts: PipelineVariables;
  expected: string[];
  version: string;
  warnings?: RegExp[];
}

const CASES: Case[] = [
  {
    name: 'main branch: build number, branch, sha, latest',
    tags: ['20261122.3'],
    facts: { sourceBranch: 'refs/heads/main', sourceVersion: SHA },
    expected: ['20261122.3', 'main', 'sha-0123456', 'latest'],
    version: '20261122.3',
  },
  {
    name: 'a branch with slashes and spaces',
    tags: ['7'],
    facts: { sourceBranch: 'refs/heads/feature/Login page  v2', sourceVersion: SHA },
    expected: ['7', 'feature-Login-page-v2', 'sha-0123456'],
    version: '7',
  },
  {
    name: 'latestBranch names another branch',
    latestBranch: 'develop',
    facts: { sourceBranch: 'refs/heads/develop', sourceVersion: SHA },
    expected: ['develop', 'sha-0123456', 'latest'],
    version: 'develop',
  },
  {
    name: 'a release tag with v',
    tags: ['20261122.3'],
    facts: { sourceBranch: 'refs/tags/v1.2.3', sourceVersion: SHA },
    expected: ['20261122.3', '1.2.3', '1.2', '1', 'sha-0123456'],
    version: '1.2.3',
  },
  { name: 'a release tag without v', facts: { sourceBranch: 'refs/tags/2.0.10' }, expected: ['2.0.10', '2.0', '2'], version: '2.0.10' },
  {
    name: 'a 0.x release gets X.Y.Z, X.Y and X like any other',
    facts: { sourceBranch: 'refs/tags/v0.4.1' },
    expected: ['0.4.1', '0.4', '0'],
    version: '0.4.1',
  },
  {
    name: 'a prerelease tag: only the full version',
    tags: ['9'],
    facts: { sourceBranch: 'refs/tags/v1.2.3-rc.1', sourceVersion: SHA },
    expected: ['9', '1.2.3-rc.1', 'sha-0123456'],
    version: '1.2.3-rc.1',
  },
  {
    name: 'build metadata is left out (Docker tags cannot hold +)',
    facts: { sourceBranch: 'refs/tags/v1.2.3+build.5' },
    expected: ['1.2.3', '1.2', '1'],
    version: '1.2.3',
  },
  {
    name: 'a tag that is not a version is tagged by its name',
    facts: { sourceBranch: 'refs/tags/release/2026 spring' },
    expected: ['release-2026-spring'],
    version: 'release-2026-spring',
  },
  {
    name: 'a pull request build (GitHub: PullRequestNumber)',
    tags: ['11'],
    facts: { sourceBranch: 'refs/pull/42/merge', reason: 'PullRequest', pullRequestNumber: '42', sourceVersion: SHA },
    expected: ['11', 'pr-42', 'sha-0123456'],
    version: '11',
  },
  { name: 'a pull request build known by its ref only', facts: { sourceBranch: 'refs/pull/7/merge' }, expected: ['pr-7'], version: 'pr-7' },
  {
    name: 'a pull request build from the main branch gets no latest',
    latestBranch: 'main',
    facts: { sourceBranch: 'refs/heads/main', reason: 'PullRequest', pullRequestNumber: '5' },
    expected: ['pr-5'],
    version: 'pr-5',
  },
  {
    name: 'autoTags off: only the tags input',
    autoTags: false,
    tags: ['a', 'b'],
    facts: { sourceBranch: 'refs/tags/v1.0.0', sourceVersion: SHA },
    expected: ['a', 'b'],
    version: 'a',
  },
  { name: 'a TFVC changeset is no sha', tags: ['1'], facts: { sourceVersion: '1234' }, expected: ['1'], version: '1' },
  {
    name: 'duplicates collapse, in order',
    tags: ['main', 'Main', 'main'],
    facts: { sourceBranch: 'refs/heads/main' },
    expected: ['main', 'Main', 'latest'],
    version: 'main',
  },
  {
    name: 'an over-long tag is cut to 128 characters',
    autoTags: false,
    tags: [LONG],
    facts: {},
    expected: ['x'.repeat(128)],
    version: 'x'.repeat(128),
  },
  {
    name: 'leading and trailing separators go',
    autoTags: false,
    tags: ['--.v1.0.-', '_ok'],
    facts: {},
    expected: ['v1.0', '_ok'],
    version: 'v1.0',
  },
  {
    name: 'a tag that sanitizes to nothing is dropped with a warning',
    autoTags: false,
    tags: ['###', 'ok'],
    facts: {},
    expected: ['ok'],
    version: 'ok',
    warnings: [/^Tag '###' was dropped: nothing of it is valid in a Docker tag\.$/],
  },
  {
    name: 'an unexpanded variable is dropped with a warning, not tagged as its name',
    tags: ['$(Build.BuildNumber)'],
    facts: { sourceBranch: 'refs/heads/dev' },
    expected: ['dev'],
    version: 'dev',
    warnings: [/^Tag '\$\(Build\.BuildNumber\)' was dropped: the variable 'Build\.BuildNumber' is not set in this run\.$/],
  },
];

describe('planTags (pipeline variables → tags)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = planTags({ tags: c.tags ?? [], autoTags: c.autoTags ?? true, latestBranch: c.latestBranch ?? 'main' }, c.facts);
      assert.deepEqual(plan.tags, c.expected);
      assert.equal(plan.version, c.version);
      assert.equal(plan.warnings.length, (c.warnings ?? []).length, plan.warnings.join('\n'));
      (c.warnings ?? []).forEach((w, i) => assert.match(plan.warnings[i], w));
    });
  }

  it('fails naming the input when no tag is left', () => {
    assert.throws(
      () => planTags({ tags: ['///'], autoTags: false, latestBranch: 'main' }, {}),
      (err: unknown) => err instanceof InputError && /^Input 'tags' leaves no valid tag and autoTags is off: /.test(err.message),
    );
  });
});

describe('sanitizeTag', () => {
  const TABLE: Array<[string, string]> = [
    ['1.0.0', '1.0.0'],
    ['feature/x', 'feature-x'],
    ['a  b\tc', 'a-b-c'],
    ['ünïcode', 'n-code'],
    ['...', ''],
    ['', ''],
    [`${'a'.repeat(127)}/b`, `${'a'.repeat(127)}`],
    ['_x', '_x'],
    ['-x-', 'x'],
  ];
  for (const [raw, tag] of TABLE)
    it(`'${raw.length > 20 ? raw.slice(0, 20) + '…' : raw}' → '${tag.length > 20 ? tag.slice(0, 20) + '…' : tag}'`, () =>
      assert.equal(sanitizeTag(raw), tag));
});

describe('parseSemanticVersion and classifyRef', () => {
  it('reads versions with and without v, and refuses others', () => {
    assert.deepEqual(parseSemanticVersion('v1.2.3'), { major: '1', minor: '2', patch: '3', prerelease: undefined });
    assert.deepEqual(parseSemanticVersion('1.2.3-beta.2'), { major: '1', minor: '2', patch: '3', prerelease: 'beta.2' });
    for (const bad of ['1.2', 'v01.2.3', 'version1.2.3', '1.2.3-', 'V1.2.3x']) assert.equal(parseSemanticVersion(bad), undefined, bad);
  });
  it('tells branch, tag, pull request and other builds apart', () => {
    assert.deepEqual(classifyRef({ sourceBranch: 'refs/heads/a/b' }), { kind: 'branch', name: 'a/b' });
    assert.deepEqual(classifyRef({ sourceBranch: 'refs/tags/v1' }), { kind: 'tag', name: 'v1' });
    assert.deepEqual(classifyRef({ sourceBranch: 'refs/heads/x', reason: 'PullRequest', pullRequestNumber: '3' }), {
      kind: 'pull',
      number: '3',
    });
    assert.deepEqual(classifyRef({}), { kind: 'other' });
  });
});
