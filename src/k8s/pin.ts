import { findDigest } from '../digests/digest-file';
import { ReferenceFormatError, parseImageReference, repositoryOf } from '../docker/reference';
import type { TransformContext } from './context';
import type { ServicePlan } from './service-plan';
import type { RenderedImage } from './objects';

/**
 * Images pinned by digest: a service's image (or, for a service with only `build`, the
 * `<project>-<service>` name Compose gives it) is looked up by repository and tag in PushDigest's
 * image-digests.json and written as `repository@sha256:…`.
 */

/** Resolves the image of a planned service. */
export function resolveImage(ctx: TransformContext, plan: ServicePlan): RenderedImage {
  const s = plan.service;
  const built = s.build !== undefined;
  const image = s.image ?? (built ? `${ctx.project.name}-${s.name}` : undefined);
  if (image === undefined || image === '') throw ctx.error(['services', s.name], 'has neither image nor build: there is nothing to run.');
  let ref;
  try {
    ref = parseImageReference(image);
  } catch (err) {
    if (err instanceof ReferenceFormatError)
      throw ctx.error(['services', s.name, s.image !== undefined ? 'image' : 'build'], `is not a valid image reference: ${err.reason}.`);
    throw err;
  }
  if (ref.digest) return { service: s.name, image, resolved: image, pinned: true, built };
  const digest = ctx.options.digests ? findDigest(ctx.options.digests, image) : undefined;
  if (!digest) {
    // An image this project builds exists only where it was pushed: by tag it may be stale or absent.
    if (built) {
      const why = ctx.options.digests ? 'the digest file has no digest for it' : 'no digest file was given';
      ctx.warn(
        ['services', s.name, 'build'],
        `builds the image '${image}', which is deployed unpinned (by tag): ${why}; push it with PushDigest@1 and give its image-digests.json.`,
      );
    }
    return { service: s.name, image, resolved: image, pinned: false, built };
  }
  return { service: s.name, image, resolved: `${repositoryOf(ref)}@${digest}`, pinned: true, built };
}
