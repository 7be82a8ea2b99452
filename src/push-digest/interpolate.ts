/**
 * Compose's `${VAR}` interpolation for one value (an image name), so that an image written as
 * `registry/api:${BUILD_BUILDNUMBER}` can be matched to what was pushed. Supports `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`,
 * `${VAR+alt}` and `$$`. Unset variables become '' and are reported, as Compose does.
 */
export function interpolateValue(
  value: string,
  environment: Readonly<Record<string, string | undefined>>,
): { value: string; unset: string[]; errors: string[] } {
  const unset: string[] = [];
  const errors: string[] = [];
  const out = value.replace(/\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, dollar: string | undefined, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (dollar) return '$';
    const name = (braced ?? bare)!;
    const current = environment[name];
    const isSet = current !== undefined;
    const nonEmpty = isSet && current !== '';
    switch (op) {
      case ':-': return nonEmpty ? current! : arg!;
      case '-': return isSet ? current! : arg!;
      case ':?': case '?':
        if (op === ':?' ? nonEmpty : isSet) return current!;
        errors.push(`${name} ${arg || 'is not set'}`);
        return whole;
      case ':+': return nonEmpty ? arg! : '';
      case '+': return isSet ? arg! : '';
      default:
        if (!isSet) unset.push(name);
        return current ?? '';
    }
  });
  return { value: out, unset, errors };
}
