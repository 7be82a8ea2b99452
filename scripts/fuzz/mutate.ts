import { dump, load } from 'js-yaml';
import { adversarialString, pick } from '../../test/support/adversarial';

/**
 * The fuzzer's mutators, applied to a seed compose file (a golden fixture's): structural (keys
 * dropped, renamed, values swapped for odd ones), textual (YAML snippets spliced into the text,
 * lines duplicated or cut) and string-leaf (strings replaced by adversarial ones).
 */

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  65536,
  1e20,
  true,
  '',
  ' ',
  '${',
  '${X:?boom}',
  '$$',
  '!reset',
  '0',
  'a'.repeat(300),
  '../../etc/passwd',
  '/dev/zero',
  '80:80:80:80',
  '::',
  '-1',
  [],
  [null],
  [[]],
  {},
  { a: { b: { c: [] } } },
  ['CMD'],
  ['CMD-SHELL'],
  { target: 'x' },
  { condition: 'nope' },
  '1.5.6',
  '∞',
  'Ünïcödé',
  '\u0000',
  '0999',
  '100000000000000000000',
];
const TEXT_SNIPPETS = [
  '${',
  '}',
  ':',
  '- ',
  '&a ',
  '*a',
  '!reset ',
  '!override ',
  '<<: *a\n',
  '\n  ',
  '"',
  "'",
  '#',
  '{',
  '[',
  '\t',
  '---\n',
  '? ',
  '|\n',
  '${A:-${B:-x}}',
  '\u2028',
  '\u0085',
];

function parse(text: string): unknown {
  try {
    return load(text);
  } catch {
    return {};
  }
}

function mutateTree(value: unknown, random: () => number): unknown {
  if (random() < 0.06) return pick(ODD_VALUES, random);
  if (Array.isArray(value)) {
    const out = value.map((v) => mutateTree(v, random));
    if (random() < 0.1) out.push(pick(ODD_VALUES, random));
    if (random() < 0.1) out.splice(Math.floor(random() * out.length), 1);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (random() < 0.05) continue;
      out[random() < 0.02 ? `${k}_x` : k] = mutateTree(v, random);
    }
    return out;
  }
  return value;
}

function mutateText(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const r = random();
    if (r < 0.4) out = out.slice(0, at) + pick(TEXT_SNIPPETS, random) + out.slice(at);
    else if (r < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8));
    else {
      const lines = out.split('\n');
      lines.splice(Math.floor(random() * lines.length), 0, pick(lines, random));
      out = lines.join('\n');
    }
  }
  return out;
}

/** Replaces string leaves (values, and now and then keys of `x-`, labels and environment) with adversarial strings. */
function mutateStrings(value: unknown, random: () => number, rate: number): unknown {
  if (typeof value === 'string') return random() < rate ? adversarialString(random) : value;
  if (Array.isArray(value)) return value.map((v) => mutateStrings(v, random, rate));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = (k === 'labels' || k === 'environment' || k.startsWith('x-')) && random() < rate ? adversarialString(random) : k;
      out[key === '__proto__' ? k : key] = mutateStrings(v, random, rate);
    }
    return out;
  }
  return value;
}

/** The three kinds of mutation, by name. */
export type MutationKind = 'structural' | 'textual' | 'string-leaf';

/** One mutated compose file from a seed, and how it was made. */
export function mutateCompose(seed: string, random: () => number): { kind: MutationKind; text: string } {
  const r = random();
  if (r < 0.3) return { kind: 'textual', text: mutateText(seed, random) };
  if (r < 0.55) return { kind: 'structural', text: dump(mutateTree(parse(seed), random), { skipInvalid: true }) };
  return { kind: 'string-leaf', text: dump(mutateStrings(parse(seed), random, 0.01 + random() * 0.09), { skipInvalid: true }) };
}
