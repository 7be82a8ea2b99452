import type { TestTotals } from './record';

const TEST_CASE = /<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase\s*>)/g;

/**
 * Counts the test cases of JUnit XML files: a case with a `<failure>` or `<error>` failed, one with
 * `<skipped>` was skipped, any other passed. Other formats are listed by file count only.
 */
export function countTestResults(format: string, texts: readonly string[]): TestTotals {
  const totals: TestTotals = { format, files: texts.length };
  if (format !== 'JUnit') return totals;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const text of texts) {
    for (const match of text.matchAll(TEST_CASE)) {
      const inner = match[1] ?? '';
      if (/<(failure|error)\b/.test(inner)) failed++;
      else if (/<skipped\b/.test(inner)) skipped++;
      else passed++;
    }
  }
  return { ...totals, total: passed + failed + skipped, passed, failed, skipped };
}
