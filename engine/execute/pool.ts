// Bounded parallelism without threads: `limit` async workers pull items from a shared queue.

/** Calls fn for every item, at most `limit` at a time; resolves when all are done (fn must not throw). */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
