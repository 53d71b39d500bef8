// The test kit's one wait: what counts as done, as not yet, and what a timeout says.
import { describe, expect, it } from "vitest";
import { eventually } from "../../infra/local/test-kit/eventually.ts";

describe("eventually", () => {
  it("returns the first value that is neither undefined nor false; a throwing check is not done yet", async () => {
    const answers: (() => unknown)[] = [
      () => undefined,
      () => false,
      () => {
        throw new Error("not yet");
      },
      () => 0,
    ];
    let calls = 0;
    const value = await eventually(() => (answers[calls++] as () => unknown)(), {
      what: "a zero",
      interval: 1,
    });
    expect(value).toBe(0);
    expect(calls).toBe(4);
  });

  it("names what it waited for and the last error when the time runs out", async () => {
    const failure = new Error("expected 3 replicas, saw 2");
    const waited = eventually(
      () => {
        throw failure;
      },
      { what: "three replicas", timeout: 20, interval: 5 },
    );
    await expect(waited).rejects.toThrow(
      /^timed out after 20 ms waiting for three replicas; last error: expected 3 replicas, saw 2$/,
    );
    await expect(waited).rejects.toHaveProperty("cause", failure);
  });

  it("names the last value when the check kept answering not yet", async () => {
    await expect(
      eventually(async () => undefined, { what: "the queue drained", timeout: 10, interval: 5 }),
    ).rejects.toThrow("timed out after 10 ms waiting for the queue drained; last value: undefined");
  });

  it("stops at once with the signal's reason, not at the next check or the deadline", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("vmcp exited (1)")), 20);
    await expect(
      eventually(() => false, {
        what: "ready",
        timeout: 60_000,
        interval: 10_000,
        signal: controller.signal,
      }),
    ).rejects.toThrow("vmcp exited (1)");
  });
});
