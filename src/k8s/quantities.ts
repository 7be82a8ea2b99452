/** Kubernetes resource quantities from compose numbers. */

/** CPU cores as a quantity: 2 → "2", 0.5 → "500m" (at least 1m). */
export function cpuQuantity(cores: number): string {
  const milli = Math.max(1, Math.round(cores * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as a quantity in the largest binary unit that divides them: 536870912 → "512Mi". */
export function byteQuantity(bytes: number): string {
  for (const [unit, size] of [
    ['Ti', 1024 ** 4],
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Whole seconds, rounded up, at least `min`. */
export function seconds(ms: number, min = 1): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** Escapes Kubernetes' `$(VAR)` expansion in command, args and env values, so a value means what it meant in compose. */
export function escapeDependentVariables(text: string): string {
  return text.replace(/\$\(/g, '$$$$(');
}
