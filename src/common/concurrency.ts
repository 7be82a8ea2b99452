/**
 * Runs `body` for each item, at most `limit` at a time, and waits for all of them, so that no child
 * process (a push, a rollout watch) is left running when the task reports; then rethrows the first
 * failure in the order listed.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, body: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const results: Array<PromiseSettledResult<void>> = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await body(items[index]).then(
        (): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }),
        (reason: unknown): PromiseSettledResult<void> => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
