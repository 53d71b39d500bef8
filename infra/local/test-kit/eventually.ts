// Waiting for something to become true, for tests and benchmarks: the one polling loop. It waits on a
// condition, never on time, so a loaded machine makes a test slower, not red; and when the condition never
// comes, the failure says what was awaited and what was last seen.
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";

export interface Waiting {
  /** What is awaited, for the failure message: "the reconcile queue drained". */
  readonly what: string;
  /** How long to wait in all, in ms (30 s unless told). */
  readonly timeout?: number;
  /** Pause between checks, in ms (250 unless told). */
  readonly interval?: number;
  /** Stops the wait at once with the signal's reason: a process that died will never become ready. */
  readonly signal?: AbortSignal;
}

type Done<T> = Exclude<Awaited<T>, undefined | false>;

/**
 * Runs `check` until it returns a value other than undefined or false, and returns that value. A check that
 * throws has not succeeded yet (an assertion or a request that fails now may pass later); if the time runs
 * out, the error names `what` and carries the last error or value. A check that only asserts returns true.
 */
export async function eventually<T>(check: () => T, waiting: Waiting): Promise<Done<T>> {
  const { what, timeout = 30_000, interval = 250, signal } = waiting;
  const deadline = Date.now() + timeout;
  let last: { error: unknown } | { value: unknown };
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Done<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    signal?.throwIfAborted();
    if (Date.now() >= deadline) {
      const seen =
        "error" in last
          ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
          : `last value: ${inspect(last.value, { depth: 4 })}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; ${seen}`, {
        cause: "error" in last ? last.error : undefined,
      });
    }
    await sleep(interval, undefined, { signal }).catch(() => signal?.throwIfAborted());
  }
}
