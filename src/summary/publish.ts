import type { TaskEnvironment, PipelineOutput } from '../pipeline/interfaces';
import { writeSummaryMarkdown } from './markdown';
import { RESULT_ATTACHMENT_TYPE, RESULT_SCHEMA_VERSION, writeResultRecord, type ResultRecord, type StepPlace } from './record';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A task's record without what {@link reportOutcome} adds (schema version and place in the run). */
export type RecordBody = DistributiveOmit<ResultRecord, 'schemaVersion' | 'place'>;

/** Where the step ran, from the agent's variables. */
export function readStepPlace(env: TaskEnvironment | undefined): StepPlace {
  if (!env) return {};
  return {
    stage: env.variable('System.StageDisplayName'),
    job: env.variable('System.JobDisplayName'),
    step: env.variable('Task.DisplayName'),
  };
}

/**
 * Attaches what the task did to the run: the Markdown summary (the run's Extensions tab) and the
 * JSON record (the Outer loop tab). Both go through the pipeline output port.
 */
export function reportOutcome(context: { env?: TaskEnvironment; output: PipelineOutput }, body: RecordBody): ResultRecord {
  const record = { ...body, schemaVersion: RESULT_SCHEMA_VERSION, place: readStepPlace(context.env) } as ResultRecord;
  context.output.uploadSummary(record.task, writeSummaryMarkdown(record));
  context.output.addAttachment(RESULT_ATTACHMENT_TYPE, attachmentName(record), writeResultRecord(record));
  return record;
}

/** `docker-build-tag`: the record's name within its step (each step has its own timeline record). */
export function attachmentName(record: ResultRecord): string {
  return record.task
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/K8s/i, 'k8s')
    .toLowerCase();
}
