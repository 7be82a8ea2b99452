import { strict as assert } from 'node:assert';
import { VariableError, VariableStore } from '../../../src/local-run/variable-store';
import { formatBuildNumber, formatDate, predefinedVariables, revisionKey } from '../../../src/local-run/predefined-variables';

describe('variables', () => {
  it('are case-insensitive and expand $(macros), leaving unknown ones as they are', () => {
    const store = new VariableStore();
    store.set('Build.BuildNumber', '20261122.3');
    store.set('registry', '127.0.0.1:5000');
    assert.equal(
      store.expand('$(REGISTRY)/shop:$(build.buildnumber) $(nope) $(Build.BuildNumber)'),
      '127.0.0.1:5000/shop:20261122.3 $(nope) 20261122.3',
    );
  });

  it("scope a job's writes to the job, falling back to the stage and pipeline", () => {
    const root = new VariableStore();
    root.set('a', 'root');
    const job = root.child().child();
    job.set('a', 'job');
    job.set('b', 'only-job');
    assert.equal(job.value('a'), 'job');
    assert.equal(root.value('a'), 'root');
    assert.equal(root.value('b'), undefined);
  });

  it('keep secrets apart from plain variables', () => {
    const store = new VariableStore();
    store.set('user', 'me');
    store.set('token', 'hunter2', { secret: true });
    assert.deepEqual(store.split(), { variables: { user: 'me' }, secrets: { token: 'hunter2' } });
    assert.equal(store.expand('$(user):$(token)'), 'me:hunter2');
  });

  it('refuse to change a read-only variable, naming it', () => {
    const store = new VariableStore();
    store.set('Locked', '1', { readonly: true });
    assert.throws(
      () => store.set('locked', '2'),
      (err: unknown) => err instanceof VariableError && /read-only variable 'Locked'/.test(err.message),
    );
  });

  it('resolve definitions: macros against what is defined so far, and $[ ] runtime expressions', () => {
    const store = new VariableStore();
    store.set('kubeconfig', '');
    store.set('registry', 'r');
    assert.equal(store.resolveDefinition('$(registry)/web'), 'r/web');
    assert.equal(store.resolveDefinition("$[ eq(variables.kubeconfig, '') ]"), 'True');
    assert.equal(store.resolveDefinition("$[ coalesce(variables.kubeconfig, 'render') ]"), 'render');
  });
});

describe('build numbers and predefined variables', () => {
  const date = new Date(2026, 10, 22, 3, 4, 5);
  const cases: Array<[format: string, revision: number, expected: string]> = [
    ['$(Date:yyyyMMdd)$(Rev:.r)', 3, '20261122.3'],
    ['$(Date:yyyyMMdd)$(Rev:.rr)', 3, '20261122.03'],
    ['$(major).$(minor)$(Rev:.r)', 7, '1.4.7'],
    ['$(Build.DefinitionName)_$(Date:yyyy.MM.dd-HH:mm)', 1, 'shop_2026.11.22-03_04'],
    ['v$(Rev:r)...', 2, 'v2'],
  ];
  const lookup = (name: string): string | undefined => ({ major: '1', minor: '4', 'Build.DefinitionName': 'shop' })[name];
  for (const [format, revision, expected] of cases) {
    it(`${format} (revision ${revision}) → ${expected}`, () => assert.equal(formatBuildNumber(format, date, revision, lookup), expected));
  }

  it('restart the revision when the date part changes', () => {
    assert.equal(revisionKey('$(Date:yyyyMMdd)$(Rev:.r)', date), '20261122');
    assert.equal(revisionKey('$(Rev:r)', date), 'all');
    assert.equal(formatDate(date, 'yy-M-d H:m:s'), '26-11-22 3:4:5');
  });

  it('name the folders, the build and git as the agent does', () => {
    const vars = predefinedVariables({
      sourcesDir: '/src',
      workDir: '/src/.outerloop/work',
      tempDir: '/t',
      stagingDir: '/a',
      binariesDir: '/b',
      buildId: 12,
      buildNumber: '20261122.3',
      pipelineFile: 'azure-pipelines.yml',
      repositoryName: 'shop',
      git: { sourceVersion: 'abc123', branch: 'feature/x', remoteUrl: 'https://example.test/shop.git' },
      os: 'Linux',
      arch: 'X64',
    });
    assert.equal(vars['System.DefaultWorkingDirectory'], '/src');
    assert.equal(vars['Build.SourcesDirectory'], '/src');
    assert.equal(vars['Agent.TempDirectory'], '/t');
    assert.equal(vars['Build.ArtifactStagingDirectory'], '/a');
    assert.equal(vars['Build.BuildId'], '12');
    assert.equal(vars['Build.SourceVersion'], 'abc123');
    assert.equal(vars['Build.SourceBranch'], 'refs/heads/feature/x');
    assert.equal(vars['Build.SourceBranchName'], 'x');
    assert.equal(vars['Build.Repository.Uri'], 'https://example.test/shop.git');
    assert.equal(vars['Build.BuildUri'], 'vstfs:///Build/Build/12');
  });

  it('leave the git variables out when there is no git', () => {
    const vars = predefinedVariables({
      sourcesDir: '/src',
      workDir: '/w',
      tempDir: '/t',
      stagingDir: '/a',
      binariesDir: '/b',
      buildId: 1,
      buildNumber: '1',
      pipelineFile: 'p.yml',
      repositoryName: 'src',
      os: 'Linux',
      arch: 'X64',
    });
    assert.equal(vars['Build.SourceVersion'], undefined);
    assert.equal(vars['Build.SourceBranch'], undefined);
  });
});
