import { FileError } from '../common/errors';
import { readTextFileSync } from '../common/fs';
import { activeProfiles, isServiceEnabled, loadComposeProject } from '../compose/load';
import { formatPath, isMapping, type KeyPath } from '../compose/paths';
import type { ComposeSource } from '../compose/source';
import { applyEdits, insertFirstKey, replaceValue, type TextEdit } from '../compose/yaml-edit';
import { parseYamlDocuments, parseYamlForEditing, type SourceMap, type ValueSpan } from '../compose/yaml';
import { findSameRepositoryTag, parseImageReference, ReferenceFormatError } from '../docker/reference';
import { pinnedReference, type PushedImage } from './plan';

/** One service and what its image became in the locked file. */
export interface LockedService {
  service: string;
  /** The image as Compose resolves it (merged and interpolated). */
  image: string;
  /** `repo@sha256:…`, or undefined when it stays as it was. */
  pinned?: string;
}

/** The locked compose file and what to tell the user. */
export interface LockResult {
  text: string;
  services: LockedService[];
  warnings: string[];
}

/**
 * Writes the locked compose file: the first compose file, byte for byte, with each service's image
 * replaced by `repo@sha256:…` from this push (or an `image:` key added when the image comes from
 * elsewhere: a later file, `extends`, a merge key). Images are those the compose loader resolves,
 * with its merge rules (`include`, `extends`, later files winning) and its interpolation (the
 * source's environment over the env files, else the project's `.env`). Every service is locked,
 * whatever its profiles. A service the active profiles enable, built by this project (`build:`),
 * whose image was not pushed is an error; any other unpinned image is a warning.
 */
export function lockComposeFiles(source: ComposeSource, pushed: readonly PushedImage[]): LockResult {
  const loaded = loadComposeProject({ ...source, profiles: ['*'] });
  const profiles = activeProfiles(source, loaded.variables);
  const base = loaded.files[0];
  const text = readTextFileSync(base, 'compose file');
  if (text.trim() === '') throw new FileError(base, 'the file is empty; a compose file needs a services: mapping.');
  const documents = parseYamlForEditing(text, base).map((d) => d.sources);
  const warnings: string[] = [];
  const services: LockedService[] = [];
  const edits: TextEdit[] = [];
  for (const service of loaded.project.services) {
    const name = service.name;
    const enabled = isServiceEnabled(service, profiles);
    const built = service.build !== undefined;
    const key = formatPath(['services', name, 'image']);
    const where = loaded.locate(['services', name, 'image']) ?? base;
    if (service.image === undefined) {
      if (built && enabled)
        throw new FileError(
          loaded.locate(['services', name]) ?? base,
          `services.${name} is built by this project but has no image: name, so it cannot be pinned; give it an image: repo:tag that this task pushes.`,
        );
      warnings.push(`Service '${name}' has no image and is left as it is in the locked compose file.`);
      continue;
    }
    const image = service.image;
    let ref;
    try {
      ref = parseImageReference(image);
    } catch (err) {
      if (err instanceof ReferenceFormatError) throw new FileError(where, `${key} ${err.message}`);
      throw err;
    }
    if (ref.digest) {
      services.push({ service: name, image });
      continue; // already pinned
    }
    // The first image pushed under a name wins.
    const match = findSameRepositoryTag(pushed, (p) => p.image, ref);
    if (!match) {
      if (built && enabled)
        throw new FileError(
          where,
          `${key} '${image}' is built by this project (build:) but was not pushed by this task, so the locked file cannot pin it; add it to images.`,
        );
      warnings.push(`Service '${name}' keeps image '${image}' unpinned: this task did not push it.`);
      services.push({ service: name, image });
      continue;
    }
    const pinned = pinnedReference(match);
    services.push({ service: name, image, pinned });
    const serviceSpan = lastSpan(documents, ['services', name]);
    if (!serviceSpan) {
      warnings.push(
        `Service '${name}' is not defined in ${base}, the file the locked compose file is made from, so it does not have this service.`,
      );
      continue;
    }
    const imageSpan = lastSpan(documents, ['services', name, 'image']);
    const edit = imageSpan ? replaceValue(imageSpan, pinned) : insertFirstKey(text, serviceSpan, 'image', pinned);
    if (!edit)
      throw new FileError(
        base,
        `services.${name}${imageSpan ? '.image' : ''} is written in a form this task cannot pin in place; write it as a plain image: value.`,
      );
    edits.push(edit);
  }
  const locked = applyEdits(text, edits);
  checkLocked(locked, base, services);
  // Of the loader's warnings, those about the images matter here (an unset variable in one); the
  // rest are about what the other tasks read.
  const imageKeys = loaded.project.services.map((s) => `: ${formatPath(['services', s.name, 'image'])}: `);
  const imageWarnings = loaded.warnings.filter((w) => imageKeys.some((k) => w.includes(k)));
  return { text: locked, services, warnings: [...imageWarnings, ...warnings] };
}

/** How a key path is written in the last document of the file that writes it (Compose merges a file's documents in order). */
function lastSpan(documents: readonly SourceMap[], path: KeyPath): ValueSpan | undefined {
  for (let i = documents.length - 1; i >= 0; i--) {
    const span = documents[i].span(path);
    if (span) return span;
  }
  return undefined;
}

/** Reads the edited text back: every pinned service must carry its pin, or nothing is written. */
function checkLocked(text: string, path: string, services: readonly LockedService[]): void {
  const documents = parseYamlDocuments(text, `${path} (locked)`).map((d) => d.value);
  const written = new Map<string, unknown>();
  for (const doc of documents) {
    const services = (doc as { services?: unknown } | null)?.services;
    if (!isMapping(services)) continue;
    for (const [name, service] of Object.entries(services))
      if (isMapping(service) && service['image'] !== undefined) written.set(name, service['image']);
  }
  for (const s of services) {
    // A service the first file does not have is not in the locked file either (a warning said so).
    if (!s.pinned || !written.has(s.service)) continue;
    const image = written.get(s.service);
    if (image !== s.pinned)
      throw new FileError(path, `services.${s.service}.image could not be pinned in place (it reads back as '${String(image)}').`);
  }
}
