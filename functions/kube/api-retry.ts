// When a failed API request is worth another try, and after how long: throttling (429), the API server or
// a proxy in trouble (500, 502, 503, 504) and broken connections are; anything else is an answer. Bounded
// exponential backoff with full jitter, Retry-After honoured, and never a wait past the caller's deadline.
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 200, capMs: 3_000 };

export type Failure =
  | { readonly status: number; readonly retryAfter?: string }
  | { readonly network: string };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Seconds, or an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Milliseconds to wait before try number `attempt + 1`, or undefined to give up. `attempt` counts the tries
 * made so far; `remainingMs` is the time left before the caller's deadline.
 */
export function retryDelay(
  failure: Failure,
  attempt: number,
  remainingMs: number,
  policy: RetryPolicy = DEFAULT_RETRY,
  now = Date.now(),
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  if ("status" in failure && !RETRYABLE_STATUS.has(failure.status)) return undefined;
  const asked = "status" in failure ? retryAfterMs(failure.retryAfter, now) : undefined;
  const delay = asked ?? Math.round(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1)));
  // Waiting only to be cut off by the deadline helps nobody: fail now, while the caller can still react.
  return delay < remainingMs ? delay : undefined;
}
