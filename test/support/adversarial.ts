/**
 * Seeded generators for fuzzing and property tests: a small PRNG, and strings built to break YAML
 * emitters and log readers (indicators, YAML 1.1 words and numbers, line breaks of every kind,
 * control characters, non-characters, astral code points, logging commands, long runs).
 */

/** mulberry32: a fast seeded PRNG returning floats in [0, 1); the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `items`, chosen by `random`. */
export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

/** Pieces a YAML reader or an agent treats specially, concatenated by the string generator. */
export const ADVERSARIAL_ATOMS: readonly string[] = [
  '',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\r',
  '\r\n',
  '\u0085',
  '\u2028',
  '\u2029',
  '\x7f',
  '\x80',
  '\x9f',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\u0000',
  '\x1b',
  '\x0b',
  '\x0c',
  '\x08',
  '\u00a0',
  '\u3000',
  'é',
  'ß',
  '🚀',
  '\u{10ffff}',
  '\u{1f600}',
  ': ',
  ':',
  ' #',
  '#',
  '- ',
  '-',
  '--',
  '---',
  '...',
  '? ',
  '?',
  '|',
  '|-',
  '|+',
  '>',
  '>-',
  '&a',
  '*a',
  '!!str',
  '!',
  '%YAML 1.1',
  '%',
  '@',
  '`',
  '"',
  "'",
  '\\',
  '\\n',
  '\\u0000',
  '{',
  '}',
  '[',
  ']',
  ',',
  '{}',
  '[]',
  '${X}',
  '$$',
  '$',
  '##vso[task.setvariable variable=x]y',
  '##[error]',
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'n',
  'Y',
  'true',
  'False',
  'null',
  'NULL',
  '~',
  '<<',
  '=',
  '0',
  '1',
  '-1',
  '+1',
  '0x1f',
  '0o17',
  '017',
  '0b101',
  '1e3',
  '1E+3',
  '1_000',
  '.5',
  '-.5',
  '.inf',
  '-.Inf',
  '.NaN',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '12:30:45',
  '190:20:30',
  '1/',
  '/',
  '1@',
  '20Gi',
  '500m',
  '1E',
  '127.0.0.1:5000/api@sha256:abc',
  '0 3 * * * /usr/local/bin/x',
  'securityContext:',
  '  privileged: true',
  '          privileged:',
  'a',
  'Z',
  '_',
  'key',
  'x'.repeat(40),
  '\n  - x',
  '\n---\n',
  '\n...\n',
  '<script>',
  '&&',
  ';',
  '\u200b',
  '\u0301',
  '\ud7ff',
  '\ue000',
];

const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f],
  [0x20, 0x7e],
  [0x20, 0x7e],
  [0x7f, 0xa0],
  [0xa1, 0x2fff],
  [0x2000, 0x206f],
  [0xe000, 0xffff],
  [0xfe00, 0xffff],
  [0x10000, 0x10ffff],
];

/** One code point from a random range (never a lone surrogate: those are refused, not written). */
function randomCharacter(random: () => number): string {
  const [low, high] = pick(RANGES, random);
  let code = low + Math.floor(random() * (high - low + 1));
  if (code >= 0xd800 && code <= 0xdfff) code = 0xe000;
  return String.fromCodePoint(code);
}

/** A prefix that steers a string into the emitter's plain-scalar rules (letters, digits with `/`). */
const PREFIXES: readonly string[] = ['', '', '', 'a', '1/', '1@', '0', '-', '/', '$', '_', 'x: ', 'NOTE=', '9/x', 'Yes'];

/** One adversarial string: a prefix, then 1–8 atoms and random characters, sometimes repeated long. */
export function adversarialString(random: () => number): string {
  let out = pick(PREFIXES, random);
  const parts = 1 + Math.floor(random() * 8);
  for (let i = 0; i < parts; i++) out += random() < 0.7 ? pick(ADVERSARIAL_ATOMS, random) : randomCharacter(random);
  const r = random();
  if (r < 0.01) out = out.repeat(1 + Math.floor(1100 / Math.max(1, out.length)));
  else if (r < 0.03) out = pick(ADVERSARIAL_ATOMS, random) + '\n' + out;
  return out;
}
