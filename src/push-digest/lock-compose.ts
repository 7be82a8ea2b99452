import { CORE_SCHEMA, load, mergeTag, YAMLException } from 'js-yaml';
import { FileError } from '../common/errors';
import { canonicalRepository, parseImageReference, ReferenceFormatError } from '../docker/reference';
import { InterpolationError, interpolateString, type InterpolationResult } from '../compose/interpolate';
import { pinnedReference, type PushedImage } from './plan';
import { applyEdits, insertFirstKey, mappingValue, parseYamlTree, replaceValue, type TextEdit } from './yaml-edit';

/** A compose file as read from disk. */
export interface ComposeSource {
  path: string;
  text: string;
}

/** One service and what its image became in the locked file. */
export interface LockedService {
  service: string;
  /** The image as written (after interpolation). */
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

const COMPOSE_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

interface ServiceFacts {
  image?: string;
  /** The file whose `image:` wins (the last that sets it, as Compose merges). */
  imageFile?: string;
  built: boolean;
}

/**
 * Writes the locked compose file: the first compose file, byte for byte, with each service's image
 * replaced by `repo@sha256:…` from this push (or an `image:` key added when only a later file sets
 * it). Images are matched as Compose resolves them: the last file that sets a service's image wins,
 * `${VAR}` is interpolated from `environment`. A service built by this project (`build:`) whose
 * image was not pushed is an error; any other unpinned image is a warning.
 */
export function lockComposeFiles(
  sources: readonly ComposeSource[],
  pushed: readonly PushedImage[],
  environment: Readonly<Record<string, string | undefined>>,
): LockResult {
  const facts = new Map<string, ServiceFacts>();
  for (const source of sources) {
    for (const [name, service] of Object.entries(readServices(source))) {
      const fact = facts.get(name) ?? { built: false };
      if (typeof service['image'] === 'string') {
        fact.image = service['image'];
        fact.imageFile = source.path;
      }
      if (service['build'] !== undefined && service['build'] !== null) fact.built = true;
      facts.set(name, fact);
    }
  }
  const base = sources[0];
  const baseServices = mappingValue(parseYamlTree(base.text, base.path), 'services');
  const warnings: string[] = [];
  const services: LockedService[] = [];
  const edits: TextEdit[] = [];
  for (const [name, fact] of facts) {
    const file = fact.imageFile ?? base.path;
    const key = `services.${name}.image`;
    if (fact.image === undefined) {
      if (fact.built) throw new FileError(base.path, `services.${name} is built by this project but has no image: name, so it cannot be pinned; give it an image: repo:tag that this task pushes.`);
      warnings.push(`Service '${name}' has no image and is left as it is in the locked compose file.`);
      continue;
    }
    let interpolated: InterpolationResult;
    try {
      interpolated = interpolateString(fact.image, (name) => (Object.prototype.hasOwnProperty.call(environment, name) ? environment[name] : undefined));
    } catch (err) {
      if (err instanceof InterpolationError) throw new FileError(file, `${key} cannot be resolved: ${err.message}`);
      throw err;
    }
    for (const v of interpolated.unset) warnings.push(`${file}: ${key} uses \${${v}}, which is not set; it is read as an empty string.`);
    const image = interpolated.value;
    let ref;
    try {
      ref = parseImageReference(image);
    } catch (err) {
      if (err instanceof ReferenceFormatError) throw new FileError(file, `${key} ${err.message}`);
      throw err;
    }
    if (ref.digest) {
      services.push({ service: name, image });
      continue; // already pinned
    }
    const match = pushed.find((p) => canonicalRepository(p.image) === canonicalRepository(ref) && p.image.tag === (ref.tag ?? 'latest'));
    if (!match) {
      if (fact.built) throw new FileError(file, `${key} '${image}' is built by this project (build:) but was not pushed by this task, so the locked file cannot pin it; add it to images.`);
      warnings.push(`Service '${name}' keeps image '${image}' unpinned: this task did not push it.`);
      services.push({ service: name, image });
      continue;
    }
    const pinned = pinnedReference(match);
    services.push({ service: name, image, pinned });
    const serviceNode = mappingValue(baseServices, name);
    if (!serviceNode) {
      warnings.push(`Service '${name}' is defined only in ${fact.imageFile}; the locked compose file is ${base.path} pinned, so it does not have this service.`);
      continue;
    }
    const imageNode = mappingValue(serviceNode, 'image');
    const edit = imageNode ? replaceValue(imageNode, pinned) : insertFirstKey(base.text, serviceNode, 'image', pinned);
    if (!edit) throw new FileError(base.path, `services.${name}${imageNode ? '.image' : ''} is written in a form this task cannot pin in place; write it as a plain image: value.`);
    edits.push(edit);
  }
  const text = applyEdits(base.text, edits);
  checkLocked(text, base.path, services);
  return { text, services, warnings };
}

/** The `services` mapping of one compose file as data; FileError on YAML that does not parse. */
function readServices(source: ComposeSource): Record<string, Record<string, unknown>> {
  let doc: unknown;
  if (source.text.trim() === '') throw new FileError(source.path, 'the file is empty; a compose file needs a services: mapping.');
  try {
    doc = load(source.text, { filename: source.path, schema: COMPOSE_SCHEMA });
  } catch (err) {
    if (err instanceof YAMLException) {
      const mark = (err as YAMLException & { mark?: { line: number; column: number } }).mark;
      throw new FileError(mark ? `${source.path}:${mark.line + 1}:${mark.column + 1}` : source.path, `the file is not valid YAML: ${err.reason}.`);
    }
    throw err;
  }
  if (doc === undefined || doc === null) throw new FileError(source.path, 'the file is empty; a compose file needs a services: mapping.');
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FileError(source.path, 'the file must be a YAML mapping with a services: key.');
  const services = (doc as Record<string, unknown>)['services'];
  if (services === undefined || services === null) return {};
  if (typeof services !== 'object' || Array.isArray(services)) throw new FileError(source.path, 'services must be a mapping of service names to services.');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(services as Record<string, unknown>)) {
    if (service === null) out[name] = {};
    else if (typeof service === 'object' && !Array.isArray(service)) out[name] = service as Record<string, unknown>;
    else throw new FileError(source.path, `services.${name} must be a mapping.`);
  }
  return out;
}

/** Reads the edited text back: every pinned service must carry its pin, or nothing is written. */
function checkLocked(text: string, path: string, services: readonly LockedService[]): void {
  const locked = readServices({ path: `${path} (locked)`, text });
  for (const s of services) {
    if (s.pinned && locked[s.service] && locked[s.service]['image'] !== s.pinned) {
      throw new FileError(path, `services.${s.service}.image could not be pinned in place (it reads back as '${String(locked[s.service]['image'])}').`);
    }
  }
}

