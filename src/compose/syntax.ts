import { isAbsolute, resolve } from 'node:path';
import type { ComposeMount, ComposePort } from './model';
import { isMapping } from './paths';
import { parseByteSize } from './units';

/**
 * Parsers for the short syntaxes of service keys (ports, volumes, tmpfs, command strings). Each
 * throws a plain `SyntaxProblem` with the detail; the normalizer adds the file and key path.
 */

/** A value that does not follow its key's syntax. */
export class SyntaxProblem extends Error {}

/** Splits a command string into words as a POSIX shell would (quotes, backslashes), without expanding anything. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new SyntaxProblem(`the command ${JSON.stringify(text)} has an unclosed single quote`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1])) j++;
        word += text[j];
      }
      if (j >= text.length) throw new SyntaxProblem(`the command ${JSON.stringify(text)} has an unclosed double quote`);
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function parsePortNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new SyntaxProblem(`${what} '${text}' is not a port number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new SyntaxProblem(`${what} ${n} is outside 1-65535`);
  return n;
}

function parseRange(text: string, what: string): number[] {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m) return [parsePortNumber(text, what)];
  const [from, to] = [parsePortNumber(m[1], what), parsePortNumber(m[2], what)];
  if (to < from) throw new SyntaxProblem(`the ${what} range ${text} ends before it starts`);
  if (to - from >= 1000) throw new SyntaxProblem(`the ${what} range ${text} holds more than 1000 ports`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function parseProtocol(text: string | undefined): ComposePort['protocol'] {
  const p = (text ?? 'tcp').toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new SyntaxProblem(`the protocol '${text}' is not tcp, udp or sctp`);
  return p;
}

function combine(targets: number[], published: number[] | undefined, base: Omit<ComposePort, 'target' | 'published'>): ComposePort[] {
  if (!published) return targets.map((target) => ({ ...base, target }));
  if (published.length === targets.length) return targets.map((target, i) => ({ ...base, target, published: published[i] }));
  if (targets.length === 1) return [{ ...base, target: targets[0], published: published[0] }];
  throw new SyntaxProblem(`the published range and the container range have different lengths`);
}

/** Parses one `ports` entry (short or long syntax), ranges expanded. */
export function parsePort(entry: unknown): ComposePort[] {
  if (typeof entry === 'number') return [{ target: parsePortNumber(String(entry), 'the port'), protocol: 'tcp' }];
  if (typeof entry === 'string') {
    let text = entry.trim();
    let protocol: string | undefined;
    const slash = text.lastIndexOf('/');
    if (slash >= 0) {
      protocol = text.slice(slash + 1);
      text = text.slice(0, slash);
    }
    let hostIp: string | undefined;
    if (text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0 || text[close + 1] !== ':') throw new SyntaxProblem(`'${entry}' has an unclosed IPv6 address`);
      hostIp = text.slice(1, close);
      text = text.slice(close + 2);
    }
    const parts = text.split(':');
    if (parts.length === 3 && hostIp === undefined) hostIp = parts.shift();
    if (parts.length > 2) throw new SyntaxProblem(`'${entry}' is not [host_ip:][published:]target[/protocol]`);
    const targets = parseRange(parts[parts.length - 1], 'container port');
    const published = parts.length === 2 && parts[0] !== '' ? parseRange(parts[0], 'published port') : undefined;
    return combine(targets, published, { protocol: parseProtocol(protocol), ...(hostIp ? { hostIp } : {}) });
  }
  if (isMapping(entry)) {
    const targets = parseRange(String(entry['target']), 'container port');
    const published =
      entry['published'] === undefined || entry['published'] === '' ? undefined : parseRange(String(entry['published']), 'published port');
    const base: Omit<ComposePort, 'target' | 'published'> = { protocol: parseProtocol(entry['protocol'] as string | undefined) };
    if (entry['host_ip']) base.hostIp = String(entry['host_ip']);
    if (entry['mode'] === 'host' || entry['mode'] === 'ingress') base.mode = entry['mode'];
    if (entry['name'] !== undefined) base.name = String(entry['name']);
    if (entry['app_protocol'] !== undefined) base.appProtocol = String(entry['app_protocol']);
    return combine(targets, published, base);
  }
  throw new SyntaxProblem(`a port is a number, a string or a mapping`);
}

/** Parses one `expose` entry: `3000`, `3000-3005`, `3000/udp`. */
export function parseExpose(entry: unknown): Array<{ port: number; protocol: ComposePort['protocol'] }> {
  const [ports, protocol] = String(entry).split('/');
  const p = parseProtocol(protocol);
  return parseRange(ports.trim(), 'exposed port').map((port) => ({ port, protocol: p }));
}

const MOUNT_MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'consistent',
  'cached',
  'delegated',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
]);

function isHostPath(source: string): boolean {
  return (
    source.startsWith('.') || source.startsWith('/') || source.startsWith('~') || source.includes('/') || /^[a-zA-Z]:[\\/]/.test(source)
  );
}

function hostPath(source: string, baseDir: string): string {
  return source.startsWith('~') || isAbsolute(source) ? source : resolve(baseDir, source);
}

/** Parses one service `volumes` entry; bind sources are made absolute from `baseDir`. */
export function parseMount(entry: unknown, baseDir: string): ComposeMount {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    let source: string | undefined;
    let target: string;
    let modes: string[] = [];
    if (parts.length === 1) target = parts[0];
    else if (parts.length === 2 && parts[1].split(',').every((m) => MOUNT_MODES.has(m)) && parts[0].startsWith('/')) {
      target = parts[0];
      modes = parts[1].split(',');
    } else if (parts.length === 2 || parts.length === 3) {
      [source, target] = parts;
      modes = parts.length === 3 ? parts[2].split(',') : [];
    } else throw new SyntaxProblem(`'${entry}' is not [source:]target[:mode]`);
    if (!target.startsWith('/')) throw new SyntaxProblem(`the container path '${target}' is not absolute`);
    for (const m of modes) if (!MOUNT_MODES.has(m)) throw new SyntaxProblem(`'${m}' is not a volume mode (ro, rw, z, Z, nocopy, …)`);
    const readOnly = modes.includes('ro');
    const extraOptions = modes.filter((m) => m !== 'ro' && m !== 'rw');
    if (source === undefined || source === '') return { type: 'volume', target, readOnly, extraOptions };
    if (isHostPath(source)) return { type: 'bind', source: hostPath(source, baseDir), target, readOnly, extraOptions };
    return { type: 'volume', source, target, readOnly, extraOptions };
  }
  if (!isMapping(entry)) throw new SyntaxProblem('a volume is a string or a mapping');
  const type = String(entry['type'] ?? 'volume') as ComposeMount['type'];
  if (!['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image'].includes(type)) throw new SyntaxProblem(`'${type}' is not a volume type`);
  const target = String(entry['target'] ?? '');
  if (!target.startsWith('/')) throw new SyntaxProblem(`the container path '${target}' is not absolute`);
  const mount: ComposeMount = { type, target, readOnly: entry['read_only'] === true || entry['read_only'] === 'true', extraOptions: [] };
  const source = entry['source'] === undefined || entry['source'] === null ? undefined : String(entry['source']);
  if (source !== undefined && source !== '') mount.source = type === 'bind' ? hostPath(source, baseDir) : source;
  const volume = entry['volume'];
  if (isMapping(volume)) {
    if (volume['subpath'] !== undefined) mount.subpath = String(volume['subpath']);
    if (volume['nocopy'] === true) mount.extraOptions.push('nocopy');
  }
  const tmpfs = entry['tmpfs'];
  if (isMapping(tmpfs)) {
    if (tmpfs['size'] !== undefined) mount.tmpfsSize = parseSizeOption(tmpfs['size']);
    if (tmpfs['mode'] !== undefined) mount.tmpfsMode = Number(tmpfs['mode']);
  }
  const bind = entry['bind'];
  if (isMapping(bind)) for (const key of Object.keys(bind)) mount.extraOptions.push(`bind.${key}`);
  if (entry['consistency'] !== undefined) mount.extraOptions.push('consistency');
  return mount;
}

function parseSizeOption(value: unknown): number {
  const size = parseByteSize(value);
  if (size === undefined) throw new SyntaxProblem(`'${String(value)}' is not a size (e.g. 64m)`);
  return size;
}

/** Parses one `tmpfs` entry: `/run` or `/run:size=64m,mode=1777`. */
export function parseTmpfs(entry: unknown): ComposeMount {
  const text = String(entry);
  const colon = text.indexOf(':');
  const target = colon < 0 ? text : text.slice(0, colon);
  if (!target.startsWith('/')) throw new SyntaxProblem(`the tmpfs path '${target}' is not absolute`);
  const mount: ComposeMount = { type: 'tmpfs', target, readOnly: false, extraOptions: [] };
  for (const option of colon < 0 ? [] : text.slice(colon + 1).split(',')) {
    const [key, value] = option.split('=');
    if (key === 'size') mount.tmpfsSize = parseSizeOption(value);
    else if (key === 'mode') mount.tmpfsMode = parseInt(value, 8);
    else if (key === 'ro') mount.readOnly = true;
    else if (key !== 'rw' && key !== '') mount.extraOptions.push(key);
  }
  return mount;
}
