import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ComposeProject } from '../compose/model';

/**
 * Bind-mounted config files: a file or small folder under the project folder, mounted read-only
 * (`./nginx.conf:/etc/nginx/nginx.conf:ro`), becomes a ConfigMap mounted at the same path, as
 * kompose does. This module reads them (the transformer never touches the file system); what
 * cannot be a ConfigMap is described, for the warning.
 */

/** A ConfigMap holds at most 1 MiB in all; this leaves room for its keys and metadata. */
export const BIND_CONFIGMAP_MAX_BYTES = 1_000_000;

/** What a read-only bind mount's source is, for the converter. */
export type BindSource =
  { kind: 'file'; data: Buffer } | { kind: 'directory'; files: Record<string, Buffer> } | { kind: 'unusable'; reason: string };

const KEY = /^[-._a-zA-Z0-9]+$/;

function under(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..';
}

async function readSource(projectDir: string, source: string): Promise<BindSource> {
  let real: string;
  try {
    real = await realpath(source);
  } catch {
    return { kind: 'unusable', reason: 'does not exist on this machine' };
  }
  if (!under(projectDir, real)) return { kind: 'unusable', reason: 'is outside the project folder' };
  const info = await stat(real);
  if (info.isFile()) {
    if (info.size > BIND_CONFIGMAP_MAX_BYTES)
      return { kind: 'unusable', reason: `is ${info.size} bytes, over what a ConfigMap holds (${BIND_CONFIGMAP_MAX_BYTES})` };
    return { kind: 'file', data: await readFile(real) };
  }
  if (!info.isDirectory()) return { kind: 'unusable', reason: 'is neither a file nor a folder' };
  const files: Record<string, Buffer> = {};
  let total = 0;
  for (const entry of (await readdir(real, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(real, entry.name);
    const entryInfo = await stat(path).catch(() => undefined);
    if (!entryInfo?.isFile())
      return { kind: 'unusable', reason: `holds ${entry.name}, which is not a file (a ConfigMap is one flat folder)` };
    if (!KEY.test(entry.name)) return { kind: 'unusable', reason: `holds ${entry.name}, which cannot be a ConfigMap key` };
    const realEntry = await realpath(path);
    if (!under(projectDir, realEntry)) return { kind: 'unusable', reason: `holds ${entry.name}, which links outside the project folder` };
    total += entryInfo.size;
    if (total > BIND_CONFIGMAP_MAX_BYTES)
      return { kind: 'unusable', reason: `holds over ${BIND_CONFIGMAP_MAX_BYTES} bytes, more than a ConfigMap holds` };
    files[entry.name] = await readFile(realEntry);
  }
  return { kind: 'directory', files };
}

/** Reads the source of every read-only bind mount of the enabled services, by absolute path. */
export async function readBindSources(project: ComposeProject): Promise<Record<string, BindSource>> {
  const out: Record<string, BindSource> = {};
  let projectDir: string;
  try {
    projectDir = await realpath(project.workingDir);
  } catch {
    projectDir = project.workingDir;
  }
  for (const s of project.services) {
    for (const m of s.mounts) {
      if (m.type !== 'bind' || !m.readOnly || m.source === undefined || out[m.source]) continue;
      out[m.source] = await readSource(projectDir, m.source);
    }
  }
  return out;
}
