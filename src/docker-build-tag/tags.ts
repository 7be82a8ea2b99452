import { InputError } from '../common/errors';
import { TAG_PATTERN } from '../docker/reference';
import type { PipelineVariables } from '../pipeline/interfaces';
import type { DockerBuildTagInputs } from './inputs';

/** The tags one build applies, and the image's version. */
export interface TagPlan {
  /** Sanitized, unique, in order: the `tags` input, then the automatic tags. */
  tags: string[];
  /** The most specific tag: the semantic version of a tag build, else the first tag. */
  version: string;
  /** One sentence per tag that was dropped. */
  warnings: string[];
}

/** A semantic version read from a git tag (`v1.2.3`, `1.2.3-rc.1`, `v1.2.3+build.5`). */
export interface SemanticVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease?: string;
}

const MAX_TAG_LENGTH = 128;
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const UNEXPANDED_MACRO = /\$\(([^)]*)\)/;

/**
 * Makes any text a Docker tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`): each run of other characters
 * becomes `-`, leading and trailing `.` and `-` go, and the rest is cut to 128 characters.
 * Returns '' when nothing is left.
 */
export function sanitizeTag(raw: string): string {
  const trim = (s: string): string => s.replace(/^[.-]+/, '').replace(/[.-]+$/, '');
  const tag = trim(trim(raw.replace(/[^A-Za-z0-9_.-]+/g, '-')).slice(0, MAX_TAG_LENGTH));
  return TAG_PATTERN.test(tag) ? tag : '';
}

/** Reads `1.2.3`, `v1.2.3`, `v1.2.3-rc.1` (build metadata `+…` is ignored); undefined otherwise. */
export function parseSemanticVersion(text: string): SemanticVersion | undefined {
  const m = SEMVER.exec(text);
  return m ? { major: m[1], minor: m[2], patch: m[3], prerelease: m[4] } : undefined;
}

/** What kind of build this is, from Build.SourceBranch and Build.Reason. */
export type BuildRef =
  { kind: 'branch'; name: string } | { kind: 'tag'; name: string } | { kind: 'pull'; number?: string } | { kind: 'other' };

/** Classifies the build's source ref. A pull request build is recognized by its reason or its ref. */
export function classifyRef(facts: Pick<PipelineVariables, 'sourceBranch' | 'reason' | 'pullRequestNumber'>): BuildRef {
  const ref = facts.sourceBranch ?? '';
  const pull = /^refs\/pull\/(\d+)\//.exec(ref);
  if (facts.reason === 'PullRequest' || pull) return { kind: 'pull', number: facts.pullRequestNumber ?? pull?.[1] };
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'other' };
}

/** The automatic tags, most specific first, unsanitized. */
function automaticTags(inputs: Pick<DockerBuildTagInputs, 'latestBranch'>, facts: PipelineVariables, ref: BuildRef): string[] {
  const tags: string[] = [];
  if (ref.kind === 'tag') {
    const semver = parseSemanticVersion(ref.name);
    if (!semver) tags.push(ref.name);
    else if (semver.prerelease) tags.push(`${semver.major}.${semver.minor}.${semver.patch}-${semver.prerelease}`);
    else tags.push(`${semver.major}.${semver.minor}.${semver.patch}`, `${semver.major}.${semver.minor}`, semver.major);
  }
  if (ref.kind === 'branch') tags.push(ref.name);
  if (ref.kind === 'pull' && ref.number) tags.push(`pr-${ref.number}`);
  if (facts.sourceVersion && /^[0-9a-f]{7,}$/i.test(facts.sourceVersion)) tags.push(`sha-${facts.sourceVersion.slice(0, 7).toLowerCase()}`);
  if (ref.kind === 'branch' && ref.name === inputs.latestBranch) tags.push('latest');
  return tags;
}

/**
 * Plans the tags: the `tags` input, then (with `autoTags`) the ones the pipeline's variables give.
 * Every tag is sanitized; one that sanitizes to nothing, or that holds a `$(variable)` the agent
 * could not expand, is dropped with a warning. Throws {@link InputError} when no tag is left.
 */
export function planTags(inputs: Pick<DockerBuildTagInputs, 'tags' | 'autoTags' | 'latestBranch'>, facts: PipelineVariables): TagPlan {
  const ref = classifyRef(facts);
  const candidates = [...inputs.tags, ...(inputs.autoTags ? automaticTags(inputs, facts, ref) : [])];
  const tags: string[] = [];
  const warnings: string[] = [];
  for (const raw of candidates) {
    const macro = UNEXPANDED_MACRO.exec(raw);
    if (macro) {
      warnings.push(`Tag '${raw}' was dropped: the variable '${macro[1]}' is not set in this run.`);
      continue;
    }
    const tag = sanitizeTag(raw);
    if (tag === '') warnings.push(`Tag '${raw}' was dropped: nothing of it is valid in a Docker tag.`);
    else if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length === 0) {
    throw new InputError(
      'tags',
      `leaves no valid tag${inputs.autoTags ? '' : ' and autoTags is off'}: give at least one tag of letters, digits, '_', '.' or '-'.`,
    );
  }
  const semver = ref.kind === 'tag' ? parseSemanticVersion(ref.name) : undefined;
  const version =
    inputs.autoTags && semver
      ? `${semver.major}.${semver.minor}.${semver.patch}${semver.prerelease ? `-${semver.prerelease}` : ''}`
      : tags[0];
  return { tags, version: sanitizeTag(version) || tags[0], warnings };
}
