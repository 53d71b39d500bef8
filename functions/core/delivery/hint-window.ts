// Hint storms: a burst of writes around one VirtualMCPServer asks for one reconcile, not one each. Hints
// are grouped into fixed windows by the time admission saw them. Every hint for one target in one window
// gets the same FIFO deduplication ID, so the queue keeps the first and drops the rest; the reconcile of
// that message waits until the window has closed and its writes have settled, so it sees all of them.

/** Long enough that a storm spans few windows, short next to the bus-and-queue latency it hides in. */
export const HINT_WINDOW_MS = 500;

/** A hint is sent while its write is admitted; the write reaches etcd right after. This covers that gap. */
export const WRITE_SETTLE_MS = 250;

export const windowOf = (at: number): number => Math.floor(at / HINT_WINDOW_MS);

/** When every write admitted in the window of `at` is visible to a read. */
export const settledAt = (at: number): number => (windowOf(at) + 1) * HINT_WINDOW_MS + WRITE_SETTLE_MS;

/** How long to wait, from `now`, before reading the world for hints admitted at `times`. */
export function settleDelay(times: readonly (number | undefined)[], now: number): number {
  const latest = Math.max(now, ...times.map((at) => (at === undefined ? now : settledAt(at))));
  // Bounded by one window and the settle time, whatever a skewed clock says.
  return Math.min(latest - now, HINT_WINDOW_MS + WRITE_SETTLE_MS);
}
