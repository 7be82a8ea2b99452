/** Small helpers the benchmark scripts share. */

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A numeric `--name N` command-line option, or `fallback`. */
export function numberOption(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? Number(argv[i + 1]) : fallback;
}

/** Runs both sides of one round, the first side first in even rounds, so neither always goes first. */
export async function inAlternatingOrder(round: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  if (round % 2 === 0) {
    await a();
    await b();
  } else {
    await b();
    await a();
  }
}
