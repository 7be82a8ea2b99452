import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { emptyDir, writeFileAtomic } from '../common/fs';

/**
 * How one local pipeline run feeds another, as `resources.pipelines` does on the service: a run
 * leaves `.outerloop/run.json` (its build number, id, commit and branch) beside
 * `.outerloop/artifacts/`, and `--pipeline-artifacts ci=.outerloop/artifacts` in a later run takes
 * a copy of those artifacts (the later run empties its own artifacts folder when it starts) and
 * the `resources.pipeline.ci.*` variables from the record.
 */

/** What `.outerloop/run.json` holds. */
export interface RunRecord {
  pipelineFile: string;
  buildNumber: string;
  buildId: string;
  result: string;
  sourceVersion?: string;
  sourceBranch?: string;
}

/** Writes the record of a finished run into `<outerloopDir>/run.json`. */
export async function writeRunRecord(outerloopDir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(join(outerloopDir, 'run.json'), JSON.stringify(record, null, 2) + '\n');
}

/**
 * Copies the artifacts of the run that left `artifactsDir` into `<outerloopDir>/resources/<alias>/`,
 * and returns the copy and the `resources.pipeline.<alias>.*` variables (from its run.json when
 * there is one beside the folder).
 */
export async function takePipelineResource(
  outerloopDir: string,
  alias: string,
  source: string,
  artifactsDir: string,
): Promise<{ dir: string; variables: Record<string, string>; record?: RunRecord }> {
  const dir = join(outerloopDir, 'resources', alias);
  await emptyDir(dir);
  await cp(artifactsDir, dir, { recursive: true });
  const recordFile = join(dirname(artifactsDir), 'run.json');
  let record: RunRecord | undefined;
  if (existsSync(recordFile)) {
    try {
      record = JSON.parse(await readFile(recordFile, 'utf8')) as RunRecord;
    } catch {
      record = undefined;
    }
  }
  const prefix = `resources.pipeline.${alias}`;
  const variables: Record<string, string> = {
    [`${prefix}.pipelineName`]: source,
    [`${prefix}.runName`]: record?.buildNumber ?? 'local',
    [`${prefix}.runID`]: record?.buildId ?? '0',
    [`${prefix}.pipelineID`]: '0',
  };
  if (record?.sourceVersion) variables[`${prefix}.sourceCommit`] = record.sourceVersion;
  if (record?.sourceBranch) variables[`${prefix}.sourceBranch`] = record.sourceBranch;
  return { dir, variables, record };
}
