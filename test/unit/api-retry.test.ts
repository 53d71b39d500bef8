import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryAfterMs, retryDelay } from "../../functions/kube/api-retry.ts";

const NOW = Date.parse("2026-11-24T10:00:00Z");
const half = () => 0.5;

describe("retryDelay", () => {
  it.each([429, 500, 502, 503, 504])("retries HTTP %i", (status) => {
    expect(retryDelay({ status }, 1, 60_000, DEFAULT_RETRY, NOW, half)).toBe(100);
  });

  it.each([400, 401, 403, 404, 409, 422])("gives up on HTTP %i: it is an answer", (status) => {
    expect(retryDelay({ status }, 1, 60_000, DEFAULT_RETRY, NOW, half)).toBeUndefined();
  });

  it("retries broken connections", () => {
    expect(retryDelay({ network: "socket hang up" }, 1, 60_000, DEFAULT_RETRY, NOW, half)).toBe(100);
  });

  it("backs off exponentially with full jitter, capped", () => {
    const policy = { attempts: 10, baseMs: 200, capMs: 1_000 };
    const ceiling = (attempt: number) =>
      retryDelay({ status: 503 }, attempt, 60_000, policy, NOW, () => 0.999999);
    expect([1, 2, 3, 4, 5].map(ceiling)).toEqual([200, 400, 800, 1_000, 1_000]);
    expect(retryDelay({ status: 503 }, 3, 60_000, policy, NOW, () => 0)).toBe(0);
  });

  it("stops after the policy's attempts", () => {
    expect(
      retryDelay({ status: 503 }, DEFAULT_RETRY.attempts, 60_000, DEFAULT_RETRY, NOW, half),
    ).toBeUndefined();
    expect(
      retryDelay({ status: 503 }, DEFAULT_RETRY.attempts - 1, 60_000, DEFAULT_RETRY, NOW, half),
    ).toBeDefined();
  });

  it("honours Retry-After in seconds and as a date, over its own backoff", () => {
    expect(retryDelay({ status: 429, retryAfter: "2" }, 1, 60_000, DEFAULT_RETRY, NOW, half)).toBe(2_000);
    const inFive = new Date(NOW + 5_000).toUTCString();
    expect(retryDelay({ status: 503, retryAfter: inFive }, 1, 60_000, DEFAULT_RETRY, NOW, half)).toBe(5_000);
  });

  it("never waits past the deadline: gives up instead, while the caller can still react", () => {
    expect(
      retryDelay({ status: 429, retryAfter: "30" }, 1, 10_000, DEFAULT_RETRY, NOW, half),
    ).toBeUndefined();
    expect(retryDelay({ status: 503 }, 1, 50, DEFAULT_RETRY, NOW, half)).toBeUndefined();
    expect(retryDelay({ status: 503 }, 1, 0, DEFAULT_RETRY, NOW, () => 0)).toBeUndefined();
  });
});

describe("retryAfterMs", () => {
  it("reads seconds, dates in the past as 0, and ignores garbage", () => {
    expect(retryAfterMs("7", NOW)).toBe(7_000);
    expect(retryAfterMs(new Date(NOW - 1_000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterMs("soon", NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });
});
