// Many requests or processes, a few at a time: fast enough for a thousand objects, and no burst a loaded
// two-core machine (or the emulator on it) turns away.

/** `task` over `items`, at most `width` at a time; the results in the items' order. */
export async function inParallel<T, R>(
  items: readonly T[],
  task: (item: T) => Promise<R>,
  width = 8,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}
