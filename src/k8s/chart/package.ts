import { gzipSync } from 'node:zlib';
import type { ChartFile } from './templates';

/**
 * A chart packaged as `helm package` lays it out (`<name>/Chart.yaml`, … in a gzipped tar), but
 * deterministic: entries sorted, time 0, owner root, mode 0644, so the same chart gives the same
 * bytes on every machine.
 */

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value.slice(0, length), offset, length, 'utf8');
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

/** Splits a path into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes). */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const [prefix, name] = [path.slice(0, i), path.slice(i + 1)];
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new RangeError(`the chart path ${path} is too long for a tar archive`);
}

function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { prefix, name } = splitPath(path);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(0, 12));
  field(h, 148, 8, '        ');
  field(h, 156, 1, '0');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  field(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** The `.tgz` of a chart named `name`: its files under `<name>/`. */
export function packageChart(name: string, files: readonly ChartFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const content = Buffer.from(file.content, 'utf8');
    parts.push(header(`${name}/${file.path}`, content.length), content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
