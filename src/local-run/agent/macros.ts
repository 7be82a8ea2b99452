/**
 * Expands `$(name)` macros the way the agent does in task inputs: a known variable is replaced,
 * an unknown one is left as it is (the agent leaves `$(undefined.var)` in place too).
 */
export function expandMacros(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(/\$\(([A-Za-z0-9_.\- ]+)\)/g, (whole, name: string) => lookup(name.trim()) ?? whole);
}
