import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resultsOf, runPipelineText } from '../../support/run-pipeline';

describe('the pipeline engine (fixture tasks and real bash)', () => {
  it('passes output variables to later steps as $(step.var), and job variables as $(var) and in the environment', async () => {
    const run = await runPipelineText(`variables:
  who: world
steps:
- task: Probe@1
  name: probe
  inputs:
    outputs: |
      answer=42
      image=$(who)/web
    variables: plain=from-task
- script: echo "answer=$(probe.answer) image=$(probe.image) plain=$(plain) env=$PLAIN output-env=$PROBE_ANSWER"
  displayName: use them
- task: Probe@1
  displayName: Probe sees $(probe.answer)
  inputs:
    message: got $(probe.answer) and $(plain)
`);
    assert.equal(run.result, 'Succeeded', run.out);
    assert.match(run.out, /^answer=42 image=world\/web plain=from-task env=from-task output-env=42$/m);
    assert.match(run.out, /Probe says: got 42 and from-task/);
    assert.deepEqual(
      resultsOf(run),
      ['Probe probe for build 20261122.3=Succeeded', 'use them=Succeeded', 'Probe sees 42=Succeeded'],
      'a task step without a displayName gets its instanceNameFormat',
    );
  });

  it('fills inputs from task.json defaults with predefined variables, and runs tasks in the sources folder', async () => {
    const run = await runPipelineText('steps:\n- task: Probe@1\n  env:\n    STEP_ENV: $(Build.BuildId)\n');
    assert.match(run.out, /Probe says: probe for build 20261122\.3/);
    assert.match(run.out, new RegExp(`> probe --cwd ${run.sourcesDir}$`, 'm'));
    assert.match(run.out, /env BUILD_BUILDNUMBER=20261122\.3 STEP_ENV=7/);
  });

  it('maps Name@Major to the task folder by task.json, and fails an unknown task naming it', async () => {
    const run = await runPipelineText(
      'steps:\n- task: Probe@2\n- task: Probe@3\n  condition: always()\n- task: Missing@1\n  condition: always()\n',
    );
    assert.match(run.out, /probe major version 2/);
    assert.deepEqual(
      run.records.map((r) => r.result),
      ['Succeeded', 'Failed', 'Failed'],
    );
    assert.equal(run.records[1].message, "Task 'Probe@3' is not available: outerloop has Probe@1, @2.");
    assert.equal(
      run.records[2].message,
      "Task 'Missing@1' is not one outerloop run can run; it runs its own tasks only (Probe@1, Probe@2).",
    );
    assert.equal(run.result, 'Failed');
  });

  it('skips later steps after a failure, runs always() and failed() ones, and honours continueOnError and enabled', async () => {
    const run = await runPipelineText(`steps:
- script: exit 4
  displayName: soft failure
  continueOnError: true
- script: echo still running
  displayName: after soft failure
- task: Probe@1
  displayName: hard failure
  inputs: { result: Failed }
- script: echo skipped
  displayName: skipped by default
- script: echo cleanup
  displayName: cleanup
  condition: always()
- script: echo reporting
  displayName: on failure
  condition: failed()
- script: echo never
  displayName: disabled
  enabled: false
  condition: always()
`);
    assert.deepEqual(resultsOf(run), [
      'soft failure=SucceededWithIssues',
      'after soft failure=Succeeded',
      'hard failure=Failed',
      'skipped by default=Skipped',
      'cleanup=Succeeded',
      'on failure=Succeeded',
      'disabled=Skipped',
    ]);
    assert.equal(run.records[0].message, 'Bash exited with code 4.');
    assert.equal(run.records[2].message, 'probe failed on purpose');
    assert.equal(run.result, 'Failed');
  });

  it('decides on conditions over variables, with --var winning over the file', async () => {
    const yaml = `variables:
  kubeconfig: ''
steps:
- script: echo render
  displayName: render
  condition: and(succeeded(), eq(variables['kubeconfig'], ''))
- script: echo deploy
  displayName: deploy
  condition: and(succeeded(), ne(variables.kubeconfig, ''))
`;
    assert.deepEqual(resultsOf(await runPipelineText(yaml)), ['render=Succeeded', 'deploy=Skipped']);
    assert.deepEqual(resultsOf(await runPipelineText(yaml, { overrides: { kubeconfig: '/k' } })), ['render=Skipped', 'deploy=Succeeded']);
  });

  it('lets a script set variables at the start of a line, and neutralizes every other ##vso[', async () => {
    const run = await runPipelineText(`steps:
- script: |
    echo "##vso[task.setvariable variable=fromScript]scripted"
    echo "##vso[task.setvariable variable=out;isOutput=true]shared"
    echo "text ##vso[task.setvariable variable=evil]x"
    echo "##vso[task.complete result=Failed]not from a script"
    echo "##vso[artifact.upload artifactname=x]/etc"
  name: s
- script: echo "fromScript=$(fromScript) out=$(s.out) evil=[$EVIL]"
`);
    assert.equal(run.result, 'Succeeded', run.out);
    assert.match(run.out, /^fromScript=scripted out=shared evil=\[\]$/m);
    assert.ok(!run.out.includes('##vso['), 'nothing printed holds a logging command');
    assert.match(run.out, /text ##~vso\[task\.setvariable variable=evil\]x/);
    assert.match(run.out, /the logging command 'task.complete' is ignored in a script/);
    assert.ok(!existsSync(join(run.outputs.artifactsDir, 'x')), 'a script cannot upload artifacts');
  });

  it("masks secrets from --secret, from tasks and from scripts in everything printed, and keeps them out of scripts' environment", async () => {
    const run = await runPipelineText(
      `steps:
- task: Probe@1
  inputs:
    secret: task-secret-value
    password: $(regPassword)
- script: |
    echo "given $(regPassword) and task-secret-value"
    echo "env has [\${REGPASSWORD:-nothing}]"
    echo "mapped [$MAPPED]"
    echo "##vso[task.setvariable variable=made;issecret=true]script-secret-value"
  env:
    MAPPED: $(regPassword)
- script: echo "later $(made) script-secret-value [\${MADE:-not exported}]"
`,
      { secrets: { regPassword: 'p@ss-w0rd' } },
    );
    assert.equal(run.result, 'Succeeded', run.out);
    for (const secret of ['p@ss-w0rd', 'task-secret-value', 'script-secret-value'])
      assert.ok(!run.out.includes(secret), `${secret} is masked\n${run.out}`);
    assert.match(run.out, /the secret is \*\*\*/);
    assert.match(run.out, /the password input is \*\*\*/);
    assert.match(run.out, /given \*\*\* and \*\*\*/);
    assert.match(run.out, /env has \[nothing\]/);
    assert.match(run.out, /mapped \[\*\*\*\]/);
    assert.match(run.out, /later \*\*\* \*\*\* \[not exported\]/);
    assert.deepEqual(readdirSync(join(run.sourcesDir, '.outerloop', 'work', '_temp')), [], 'script files are removed');
  });

  it('lets --secret win over the file and expands it into variables that use it, masked', async () => {
    const run = await runPipelineText(
      'variables:\n  token: not-the-secret\n  auth: Bearer $(token)\nsteps:\n- script: echo "[$(auth)] [$AUTH]"\n',
      { secrets: { token: 'tok-123' } },
    );
    assert.match(run.out, /^\[Bearer \*\*\*\] \[Bearer \*\*\*\]$/m);
    assert.ok(!run.out.includes('tok-123'));
  });

  it('keeps a read-only variable: a step that sets it gets a warning and SucceededWithIssues', async () => {
    const run = await runPipelineText(
      'variables:\n- name: locked\n  value: kept\n  readonly: true\nsteps:\n- script: echo "##vso[task.setvariable variable=locked]changed"\n  displayName: try\n- script: echo "locked=$(locked)"\n  displayName: read\n',
    );
    assert.deepEqual(resultsOf(run), ['try=SucceededWithIssues', 'read=Succeeded']);
    assert.equal(run.records[0].message, "The step tried to set the read-only variable 'locked'; it keeps its value.");
    assert.match(run.out, /^locked=kept$/m);
  });

  it('keeps uploaded artifacts under .outerloop/artifacts/<name>/ and test results under .outerloop/test-results/', async () => {
    const run = await runPipelineText(`steps:
- task: Probe@1
  inputs:
    artifactName: drop
    resultsFile: probe.xml
- script: mkdir -p out && echo built > out/app.txt
- publish: out
  artifact: app
`);
    assert.equal(run.result, 'Succeeded', run.out);
    assert.equal(
      readFileSync(join(run.sourcesDir, '.outerloop', 'artifacts', 'drop', 'hello.txt'), 'utf8'),
      'artifact of build 20261122.3\n',
    );
    assert.equal(readFileSync(join(run.sourcesDir, '.outerloop', 'artifacts', 'app', 'app.txt'), 'utf8'), 'built\n');
    assert.match(readFileSync(join(run.sourcesDir, '.outerloop', 'test-results', 'probe.xml'), 'utf8'), /<testcase name="works"\/>/);
    assert.match(run.out, /artifact 'drop' kept in \.outerloop\/artifacts\/drop/);
  });

  it('marks a step SucceededWithIssues when what it published is missing', async () => {
    const run = await runPipelineText('steps:\n- publish: nowhere\n  artifact: gone\n');
    assert.equal(run.records[0].result, 'SucceededWithIssues');
    assert.equal(run.records[0].message, "Could not keep artifact 'gone': 'nowhere' does not exist.");
    assert.equal(run.result, 'SucceededWithIssues');
  });

  it('runs stages and jobs in dependency order, skipping what depends on a failure', async () => {
    const run = await runPipelineText(`stages:
- stage: Build
  jobs:
  - job: Second
    dependsOn: First
    steps:
    - script: echo second
      displayName: second
  - job: First
    steps:
    - script: exit 1
      displayName: first
  - job: Report
    dependsOn: First
    condition: failed()
    steps:
    - script: echo "job $(System.JobName) in $(System.StageName)"
      displayName: report
- stage: Deploy
  jobs:
  - job: Apply
    steps:
    - script: echo deploy
      displayName: deploy
- stage: Notify
  dependsOn: Build
  condition: failed()
  jobs:
  - job: Tell
    steps:
    - script: echo tell
      displayName: tell
`);
    assert.deepEqual(resultsOf(run), [
      'Build › First › first=Failed',
      'Build › Second › second=Skipped',
      'Build › Report › report=Succeeded',
      'Deploy › Apply › deploy=Skipped',
      'Notify › Tell › tell=Succeeded',
    ]);
    assert.match(run.out, /job Report in Build/);
    assert.equal(run.records[1].message, "job 'Second' was skipped (condition 'succeeded()' was false)");
  });

  it('cancels: the running step gets SIGINT to clean up, then only always() and canceled() steps run', async () => {
    const controller = new AbortController();
    const run = await runPipelineText(
      `steps:
- task: Probe@1
  displayName: long
  inputs: { sleepSeconds: '30' }
- script: echo next
  displayName: next
- script: echo cleanup
  displayName: cleanup
  condition: always()
- script: echo because cancelled
  displayName: on cancel
  condition: canceled()
`,
      {
        signal: controller.signal,
        onOutput: (t) => {
          if (t.includes('probe is waiting')) controller.abort();
        },
      },
    );
    assert.deepEqual(resultsOf(run), ['long=Canceled', 'next=Skipped', 'cleanup=Succeeded', 'on cancel=Succeeded']);
    assert.match(run.out, /probe got SIGINT and cleaned up/);
    assert.equal(run.result, 'Canceled');
  });

  it('stops a step at its timeout', async () => {
    const run = await runPipelineText('steps:\n- script: sleep 20\n  timeoutInMinutes: 0.005\n');
    assert.equal(run.records[0].result, 'Failed');
    assert.equal(run.records[0].message, 'The step timed out after 0.01 minutes (timeoutInMinutes).');
    assert.ok((run.records[0].durationMs ?? 0) < 5000);
  });

  it('applies task.prependpath and build.updatebuildnumber to the later steps', async () => {
    const run = await runPipelineText(
      'steps:\n- task: Probe@1\n  inputs: { prependPath: /opt/probe/bin, buildNumber: 1.2.3 }\n- script: echo "PATH=$PATH build $(Build.BuildNumber)"\n',
    );
    assert.match(run.out, /^PATH=\/opt\/probe\/bin:.* build 1\.2\.3$/m);
    assert.equal(run.buildNumber, '1.2.3');
  });

  it("computes the build number from name:, with the file's variables", async () => {
    const run = await runPipelineText(
      'name: $(major).$(Rev:r)\nvariables:\n  major: 4\n  tag: v$(Build.BuildNumber)\nsteps:\n- script: echo "$(Build.BuildNumber) $(tag)"\n',
    );
    assert.equal(run.buildNumber, '4.3');
    assert.match(run.out, /^4\.3 v4\.3$/m);
  });

  it('passes outputs across jobs and stages (job, matrix leg and deployment forms), and runs runOnce hooks in order with on.failure', async () => {
    const run = await runPipelineText(`stages:
- stage: A
  jobs:
  - job: Build
    strategy:
      matrix:
        linux: { os: lin }
        mac: { os: osx }
    steps:
    - bash: echo "##vso[task.setvariable variable=os;isOutput=true]$(os)"
      name: s
  - job: Plain
    steps:
    - bash: echo "##vso[task.setvariable variable=v;isOutput=true]plain-value"
      name: s
  - deployment: Ship
    dependsOn: [Build, Plain]
    environment: qa
    variables:
      fromLeg: $[ dependencies.Build.outputs['mac.s.os'] ]
      fromPlain: $[ dependencies.Plain.outputs['s.v'] ]
    strategy:
      runOnce:
        preDeploy:
          steps:
          - bash: echo "pre $(fromLeg) $(fromPlain) $(Environment.Name)"
        deploy:
          steps:
          - bash: echo "##vso[task.setvariable variable=out;isOutput=true]shipped"
            name: d
          - bash: exit 1
            displayName: breaks
        on:
          failure:
            steps:
            - bash: echo "rolled back"
              displayName: on failure
          success:
            steps:
            - bash: echo never
              displayName: on success
- stage: B
  dependsOn: A
  condition: and(always(), eq(dependencies.A.outputs['Plain.s.v'], 'plain-value'))
  variables:
    fromStage: $[ dependencies.A.outputs['Plain.s.v'] ]
    viaStageDependencies: $[ stageDependencies.A.Plain.outputs['s.v'] ]
  jobs:
  - job: Read
    variables:
      shipped: $[ stageDependencies.A.Ship.outputs['Ship.d.out'] ]
      result: $[ stageDependencies.A.Ship.result ]
    steps:
    - bash: echo "read $(shipped) $(result) $(fromStage) $(viaStageDependencies)"
`);
    assert.match(run.out, /^pre osx plain-value qa$/m, run.out);
    assert.match(run.out, /^rolled back$/m);
    assert.match(run.out, /^read shipped Failed plain-value plain-value$/m);
    assert.deepEqual(
      run.records.map((r) => r.result),
      ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Failed', 'Succeeded', 'Skipped', 'Succeeded'],
    );
    assert.equal(run.records[4].view.label, 'A › Ship › Download artifacts (current)', 'the deploy hook downloads the artifacts first');
    assert.deepEqual(
      run.records.slice(0, 2).map((r) => r.view.label.split(' › ')[1]),
      ['Build linux', 'Build mac'],
      'matrix legs are named <job> <leg>',
    );
  });

  it("runs a failed step again with retryCountOnTaskFailure, and keeps only the last attempt's result", async () => {
    const run = await runPipelineText(`steps:
- bash: |
    n=$(cat "$(Agent.TempDirectory)/attempts" 2>/dev/null || echo 0)
    echo $((n + 1)) > "$(Agent.TempDirectory)/attempts"
    echo "attempt $((n + 1))"
    test "$n" -ge 1
  displayName: flaky
  retryCountOnTaskFailure: 2
`);
    assert.deepEqual(resultsOf(run), ['flaky=Succeeded'], run.out);
    assert.match(run.out, /^attempt 1$/m);
    assert.match(run.out, /Bash exited with code 1\. Retrying in 1 s \(attempt 2 of 3, retryCountOnTaskFailure\)\./);
    assert.match(run.out, /^attempt 2$/m);
    assert.doesNotMatch(run.out, /^attempt 3$/m);
  });

  it('runs PublishPipelineArtifact@1 and DownloadPipelineArtifact@2 as the publish: and download: built-ins, with patterns', async () => {
    const run = await runPipelineText(`jobs:
- job: Make
  steps:
  - bash: mkdir -p out/sub && echo one > out/a.txt && echo two > out/sub/b.json
  - task: PublishPipelineArtifact@1
    inputs:
      targetPath: out
      artifact: bundle
- job: Use
  dependsOn: Make
  steps:
  - task: DownloadPipelineArtifact@2
    inputs:
      buildType: current
      artifactName: bundle
      itemPattern: '**/*.json'
      targetPath: $(Pipeline.Workspace)/got
  - download: current
    artifact: bundle
  - bash: |
      find "$(Pipeline.Workspace)/got" -type f | sed "s#$(Pipeline.Workspace)/##" | sort
      cat "$(Pipeline.Workspace)/bundle/a.txt"
  - download: current
    artifact: missing
`);
    assert.deepEqual(
      run.records.map((r) => r.result),
      ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Failed'],
      run.out,
    );
    assert.match(run.out, /^got\/sub\/b\.json\none$/m, 'the pattern kept only the .json file; the download step took the whole artifact');
    assert.equal(
      run.records[5].message,
      `Could not download: there is no artifact 'missing' in ${run.outputs.artifactsDir} (there are bundle).`,
    );
    assert.equal(readFileSync(join(run.outputs.artifactsDir, 'bundle', 'sub', 'b.json'), 'utf8'), 'two\n');
  });

  it('runs a parallel job N times, one leg after another, and a rolling deployment as runOnce with a note', async () => {
    const run = await runPipelineText(`jobs:
- job: Slice
  strategy:
    parallel: 2
  steps:
  - bash: echo "slice $(System.JobPositionInPhase) of $(System.TotalJobsInPhase)"
- deployment: Roll
  environment: staging.web1
  strategy:
    rolling:
      maxParallel: 2
      deploy:
        steps:
        - download: none
        - bash: echo "##vso[task.setvariable variable=v;isOutput=true]rolled"
          name: s
- job: After
  dependsOn: Roll
  variables:
    byJob: $[ dependencies.Roll.outputs['Roll.s.v'] ]
    byResource: $[ dependencies.Roll.outputs['Deploy_web1.s.v'] ]
  steps:
  - bash: echo "after $(byJob) $(byResource)"
`);
    assert.equal(run.result, 'Succeeded', run.out);
    assert.match(run.out, /^slice 1 of 2$[\s\S]*^slice 2 of 2$/m);
    assert.deepEqual(
      run.records.slice(0, 2).map((r) => r.view.label.split(' › ')[0]),
      ['Slice (1 of 2)', 'Slice (2 of 2)'],
    );
    assert.match(run.out, /the rolling strategy runs as runOnce here/);
    assert.match(run.out, /^after rolled rolled$/m);
  });
});
