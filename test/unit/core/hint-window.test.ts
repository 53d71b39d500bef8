// The hint window: when a coalesced reconcile may read, and how long it waits for that.
import { describe, expect, it } from "vitest";
import {
  HINT_WINDOW_MS,
  settleDelay,
  settledAt,
  WRITE_SETTLE_MS,
  windowOf,
} from "../../../functions/core/delivery/hint-window.ts";

const start = 1_795_490_000_000; // a multiple of the window

describe("the hint window", () => {
  it("puts the first and last millisecond of a window together, and the next one apart", () => {
    expect(windowOf(start)).toBe(windowOf(start + HINT_WINDOW_MS - 1));
    expect(windowOf(start + HINT_WINDOW_MS)).toBe(windowOf(start) + 1);
  });

  it("settles once the window has closed and its last write has had time to land", () => {
    expect(settledAt(start)).toBe(start + HINT_WINDOW_MS + WRITE_SETTLE_MS);
    expect(settledAt(start + HINT_WINDOW_MS - 1)).toBe(settledAt(start));
  });

  it("waits for the latest window among the hints, not at all for settled or untimed ones", () => {
    const now = start + 600;
    expect(settleDelay([start, start + 520], now)).toBe(start + 2 * HINT_WINDOW_MS + WRITE_SETTLE_MS - now);
    expect(settleDelay([start - 5_000, undefined], now)).toBe(0);
    expect(settleDelay([], now)).toBe(0);
  });

  it("never waits longer than a window and the settle time, even for a hint from a clock far ahead", () => {
    expect(settleDelay([start + 60_000], start)).toBe(HINT_WINDOW_MS + WRITE_SETTLE_MS);
  });
});
