import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startTask, type StartedTask, type TaskRun, type TaskRunSpec } from '../../src/local-run/agent/task-process';
import { vsixTaskDir } from './vsix';
import { testTempDir } from './temp';

/**
 * What a task may leave in Agent.TempDirectory, which the agent empties after the job: the task
 * library's own .taskkey (the key of its secret vault), and the folder of the run summary and the
 * result record, which the agent uploads after the task has exited. Anything else is a leftover.
 */
export function isTaskLeftover(name: string): boolean {
  return name !== '.taskkey' && !name.startsWith('outerloop-attachments-');
}

/** What a test gives a task run; everything but the task folder. */
export type HarnessSpec = Omit<TaskRunSpec, 'taskDir'>;

/**
 * The predefined variables an agent sets for a CI build, with fresh temp and staging folders.
 * Tests override any of them.
 */
export async function agentVariables(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const work = await testTempDir('outerloop-agent-');
  const dirs = { temp: join(work, '_temp'), staging: join(work, 'a'), sources: join(work, 's') };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  return {
    'Agent.TempDirectory': dirs.temp,
    'Agent.WorkFolder': work,
    'Agent.JobName': 'Job',
    'Build.ArtifactStagingDirectory': dirs.staging,
    'Build.SourcesDirectory': dirs.sources,
    'System.DefaultWorkingDirectory': dirs.sources,
    'Build.BuildId': '4242',
    'Build.BuildNumber': '20261122.3',
    'Build.BuildUri': 'vstfs:///Build/Build/4242',
    'Build.DefinitionName': 'shop-ci',
    'Build.Repository.Name': 'shop',
    'Build.Repository.Uri': 'https://dev.azure.com/contoso/shop/_git/shop',
    'Build.SourceBranch': 'refs/heads/main',
    'Build.SourceBranchName': 'main',
    'Build.SourceVersion': '0123456789abcdef0123456789abcdef01234567',
    'Build.Reason': 'IndividualCI',
    'System.CollectionUri': 'https://dev.azure.com/contoso/',
    'System.TeamProject': 'shop',
    'System.HostType': 'build',
    ...overrides,
  };
}

/** Starts a task from the unpacked .vsix as the agent would; the caller may signal the child. */
export async function startVsixTask(folder: string, spec: HarnessSpec = {}): Promise<StartedTask> {
  const variables = spec.variables ?? (await agentVariables());
  return startTask({ ...spec, variables, taskDir: await vsixTaskDir(folder) });
}

/** Runs a task from the unpacked .vsix to its end. */
export async function runVsixTask(folder: string, spec: HarnessSpec = {}): Promise<TaskRun> {
  return (await startVsixTask(folder, spec)).done;
}

/** A short description of a run for assertion messages. */
export function describeRun(run: TaskRun): string {
  return `result=${run.result} exit=${run.exitCode} message=${JSON.stringify(run.message)}\n--- output ---\n${run.output}`;
}
