/**
 * The predefined variables a local run gives its steps, with the names the agent uses. Pure: the
 * facts (folders, git, the clock's reading, counters) come in, the variables go out.
 */

/** What the runner knows about this run. */
export interface RunFacts {
  /** The working tree: Build.SourcesDirectory and System.DefaultWorkingDirectory. */
  sourcesDir: string;
  workDir: string;
  tempDir: string;
  stagingDir: string;
  binariesDir: string;
  buildId: number;
  buildNumber: string;
  /** The pipeline file relative to the sources folder. */
  pipelineFile: string;
  repositoryName: string;
  git?: { sourceVersion?: string; branch?: string; remoteUrl?: string; message?: string };
  /** Agent.OS (`Linux`, `Darwin`, `Windows_NT`) and Agent.OSArchitecture (`X64`, `ARM64`). */
  os: string;
  arch: string;
}

/** The predefined variables for a run. */
export function predefinedVariables(f: RunFacts): Record<string, string> {
  const branch = f.git?.branch;
  const vars: Record<string, string> = {
    'Agent.Id': '1',
    'Agent.Name': 'outerloop-local',
    'Agent.MachineName': 'localhost',
    'Agent.OS': f.os,
    'Agent.OSArchitecture': f.arch,
    'Agent.TempDirectory': f.tempDir,
    'Agent.WorkFolder': f.workDir,
    'Agent.BuildDirectory': f.workDir,
    'Build.ArtifactStagingDirectory': f.stagingDir,
    'Build.StagingDirectory': f.stagingDir,
    'Build.BinariesDirectory': f.binariesDir,
    'Build.SourcesDirectory': f.sourcesDir,
    'Build.Repository.LocalPath': f.sourcesDir,
    'System.DefaultWorkingDirectory': f.sourcesDir,
    'Pipeline.Workspace': f.workDir,
    'Build.BuildId': String(f.buildId),
    'Build.BuildNumber': f.buildNumber,
    'Build.BuildUri': `vstfs:///Build/Build/${f.buildId}`,
    'Build.DefinitionName': f.repositoryName,
    'Build.Reason': 'Manual',
    'Build.RequestedFor': 'outerloop run',
    'Build.Repository.Name': f.repositoryName,
    'Build.Repository.Provider': 'Git',
    'Build.QueuedBy': 'outerloop run',
    'System.HostType': 'build',
    'System.TeamProject': 'local',
    'System.PipelineFile': f.pipelineFile,
    'System.JobAttempt': '1',
    'System.StageAttempt': '1',
    TF_BUILD: 'True',
  };
  if (f.git?.sourceVersion) vars['Build.SourceVersion'] = f.git.sourceVersion;
  if (f.git?.message) vars['Build.SourceVersionMessage'] = f.git.message;
  if (f.git?.remoteUrl) vars['Build.Repository.Uri'] = f.git.remoteUrl;
  if (branch) {
    vars['Build.SourceBranch'] = `refs/heads/${branch}`;
    vars['Build.SourceBranchName'] = branch.split('/').pop() ?? branch;
  }
  return vars;
}

/** The variables the agent sets while a job runs. */
export function jobVariables(
  stage: { name: string; displayName: string },
  job: { name: string; displayName: string },
  status: string,
): Record<string, string> {
  return {
    'System.StageName': stage.name,
    'System.StageDisplayName': stage.displayName,
    'System.JobName': job.name,
    'System.JobDisplayName': job.displayName,
    'System.PhaseName': job.name,
    'Agent.JobName': job.displayName,
    'Agent.JobStatus': status,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `$(Date:yyyyMMdd)` with the .NET format letters the service accepts. */
export function formatDate(date: Date, format: string): string {
  return format.replace(/yyyy|yy|MM|M|dd|d|HH|H|mm|m|ss|s/g, (token) => {
    switch (token) {
      case 'yyyy':
        return String(date.getFullYear());
      case 'yy':
        return pad(date.getFullYear() % 100);
      case 'MM':
        return pad(date.getMonth() + 1);
      case 'M':
        return String(date.getMonth() + 1);
      case 'dd':
        return pad(date.getDate());
      case 'd':
        return String(date.getDate());
      case 'HH':
        return pad(date.getHours());
      case 'H':
        return String(date.getHours());
      case 'mm':
        return pad(date.getMinutes());
      case 'm':
        return String(date.getMinutes());
      case 'ss':
        return pad(date.getSeconds());
      default:
        return String(date.getSeconds());
    }
  });
}

/** The default build number format of the service. */
export const DEFAULT_BUILD_NUMBER_FORMAT = '$(Date:yyyyMMdd)$(Rev:.r)';

/**
 * Applies a build number format (`name:`): `$(Date:…)`, `$(Rev:r)` / `$(Rev:.rr)` (the revision,
 * zero-padded to the number of r's) and other `$(variables)` through `lookup`. Characters the
 * service does not allow in a build number (`"/:<>\|?@*`) become `_`.
 */
export function formatBuildNumber(format: string, date: Date, revision: number, lookup: (name: string) => string | undefined): string {
  const text = format.replace(/\$\(([^)]+)\)/g, (whole, body: string) => {
    const date_ = /^Date:(.+)$/i.exec(body);
    if (date_) return formatDate(date, date_[1]);
    const rev = /^Rev:(\.?)(r+)$/i.exec(body);
    if (rev) return `${rev[1]}${String(revision).padStart(rev[2].length, '0')}`;
    return lookup(body.trim()) ?? whole;
  });
  return text.replace(/["/:<>\\|?@*]/g, '_').replace(/\.+$/, '');
}

/** The date part of a build number format, which decides when the revision starts again at 1. */
export function revisionKey(format: string, date: Date): string {
  return (format.match(/\$\(Date:[^)]+\)/gi) ?? []).map((d) => formatDate(date, d.slice(7, -1))).join('|') || 'all';
}
