import type { DigestFile } from './digest-file';
import type { PipelineVariables } from '../pipeline/interfaces';

/**
 * Traceability, the same for both deploying tasks: which run deployed, and which build and commit
 * the images (pinned by the digest file) come from. Pure.
 */

/**
 * The keys that trace what a deploying task put in place to the run and the images: annotations
 * on ComposeToK8s@1's objects (all four on every object; a pod template only `images`, with its
 * own pod's images, so a pod restarts only when its own image changes) and labels on
 * ComposeDeploy@1's containers.
 */
export const ANNOTATIONS = {
  runUrl: 'outerloop.io/pipeline-run-url',
  buildNumber: 'outerloop.io/build-number',
  sourceVersion: 'outerloop.io/source-version',
  images: 'outerloop.io/image-digests',
} as const;

/** The web address of the pipeline run deploying (a release's, else the build's). */
export function pipelineRunUrl(v: PipelineVariables): string | undefined {
  if (v.releaseWebUrl) return v.releaseWebUrl;
  if (!v.collectionUri || !v.teamProject || !v.buildId) return undefined;
  const base = v.collectionUri.endsWith('/') ? v.collectionUri : `${v.collectionUri}/`;
  return `${base}${encodeURIComponent(v.teamProject)}/_build/results?buildId=${encodeURIComponent(v.buildId)}`;
}

/**
 * What traces a deployment to its run, as annotations (ComposeToK8s) or container labels
 * (ComposeDeploy) under {@link ANNOTATIONS}' keys: the run that deploys, and the build number and
 * commit the images come from (the digest file's, else this run's). Each only when known.
 */
export function runTraceability(v: PipelineVariables, digests: DigestFile | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  const runUrl = pipelineRunUrl(v);
  const buildNumber = digests?.pipeline.buildNumber ?? v.buildNumber;
  const sourceVersion = digests?.pipeline.sourceVersion ?? v.sourceVersion;
  if (runUrl) values[ANNOTATIONS.runUrl] = runUrl;
  if (buildNumber) values[ANNOTATIONS.buildNumber] = buildNumber;
  if (sourceVersion) values[ANNOTATIONS.sourceVersion] = sourceVersion;
  return values;
}
