#!/usr/bin/env node
// Draws the extension's icon (128×128) and one icon per task (32×32) with simple anti-aliased
// shapes, so the images are made by the project and can be regenerated: node scripts/make-icons.mjs
import { PNG } from 'pngjs';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Signed distances (negative inside), in units of the icon's size (0..1).
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, w) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const box =
  (x0, y0, x1, y1, round = 0) =>
  (x, y) => {
    const cx = (x0 + x1) / 2,
      cy = (y0 + y1) / 2,
      hx = (x1 - x0) / 2 - round,
      hy = (y1 - y0) / 2 - round;
    const dx = Math.abs(x - cx) - hx,
      dy = Math.abs(y - cy) - hy;
    return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - round;
  };
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const px = x - ax,
    py = y - ay,
    vx = bx - ax,
    vy = by - ay;
  const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - vx * t, py - vy * t) - w / 2;
};
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const edge = (x0, y0, x1, y1) => ((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)) / Math.hypot(x1 - x0, y1 - y0);
  const s = Math.sign(edge(ax, ay, bx, by) + edge(bx, by, cx, cy) + edge(cx, cy, ax, ay)) || 1;
  return -Math.min(s * edge(ax, ay, bx, by), s * edge(bx, by, cx, cy), s * edge(cx, cy, ax, ay));
};
const minus = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y));
const union =
  (...shapes) =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));

/** Paints layers ({shape, color:[r,g,b]}) over a transparent canvas and writes a PNG. */
function draw(file, size, layers) {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      const x = (px + 0.5) / size,
        y = (py + 0.5) / size;
      for (const { shape, color } of layers) {
        const coverage = Math.max(0, Math.min(1, 0.5 - shape(x, y) * size));
        if (coverage === 0) continue;
        const outA = coverage + a * (1 - coverage);
        r = (color[0] * coverage + r * a * (1 - coverage)) / outA;
        g = (color[1] * coverage + g * a * (1 - coverage)) / outA;
        b = (color[2] * coverage + b * a * (1 - coverage)) / outA;
        a = outA;
      }
      const i = (py * size + px) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  writeFileSync(file, PNG.sync.write(png, { colorType: 6 }));
}

const white = [255, 255, 255];
const tile = (color) => ({ shape: box(0.02, 0.02, 0.98, 0.98, 0.18), color });
// The outer loop: a ring with a gap, closed by an arrowhead.
const loop = minus(ring(0.5, 0.5, 0.3, 0.09), box(0.62, 0.14, 0.9, 0.44));
const arrow = triangle(0.66, 0.2, 0.86, 0.2, 0.76, 0.38);
const container = union(box(0.38, 0.4, 0.62, 0.6, 0.02));

draw(join(root, 'images', 'extension-icon.png'), 128, [
  tile([0, 99, 177]),
  { shape: loop, color: white },
  { shape: arrow, color: white },
  { shape: container, color: [255, 196, 0] },
]);

const tasks = {
  // build and tag: a container with a tag hanging from it
  'docker-build-tag': [
    tile([0, 120, 212]),
    { shape: box(0.2, 0.3, 0.8, 0.72, 0.04), color: white },
    { shape: segment(0.2, 0.51, 0.8, 0.51, 0.06), color: [0, 120, 212] },
  ],
  // compose test: a check mark over stacked containers
  'compose-test': [
    tile([16, 124, 16]),
    { shape: segment(0.25, 0.52, 0.43, 0.7, 0.13), color: white },
    { shape: segment(0.43, 0.7, 0.77, 0.3, 0.13), color: white },
  ],
  // push digest: an arrow up into the registry
  'push-digest': [
    tile([135, 100, 184]),
    { shape: segment(0.5, 0.78, 0.5, 0.4, 0.14), color: white },
    { shape: triangle(0.26, 0.46, 0.74, 0.46, 0.5, 0.18), color: white },
  ],
  // compose to k8s: the helm wheel
  'compose-to-k8s': [
    tile([50, 108, 229]),
    { shape: ring(0.5, 0.5, 0.24, 0.09), color: white },
    { shape: circle(0.5, 0.5, 0.08), color: white },
    ...[0, 1, 2, 3, 4, 5, 6].map((k) => {
      const t = (k / 7) * 2 * Math.PI - Math.PI / 2;
      return { shape: segment(0.5, 0.5, 0.5 + 0.36 * Math.cos(t), 0.5 + 0.36 * Math.sin(t), 0.07), color: white };
    }),
  ],
};
for (const [folder, layers] of Object.entries(tasks)) draw(join(root, 'tasks', folder, 'icon.png'), 32, layers);
console.log('make-icons: wrote images/extension-icon.png and 4 task icons');
