/**
 * Masks secret values in everything `outerloop run` prints, as the agent does in its logs: the
 * values given with --secret and --endpoint, and every value a step registers as a secret.
 */
export class SecretMasker {
  private values: string[] = [];

  /** Registers a secret; each of its lines is masked too, so a multi-line secret never leaks in parts. */
  add(value: string | undefined): void {
    if (!value) return;
    const parts = [value, ...value.split(/\r?\n/)].map((v) => v.trim()).filter((v) => v.length > 0);
    for (const part of parts) if (!this.values.includes(part)) this.values.push(part);
    // Longest first, so a secret that contains another is masked whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  /** `text` with every registered secret replaced by `***`. */
  mask(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join('***');
    return out;
  }
}
