// The flip finder the runtime tests rely on, against histories whose answer is known: it must see a field
// taken back and forth, and must not mistake a one-time handover for a flip.
import { describe, expect, it } from "vitest";
import { flippingFields, type Version } from "../runtime/object-history.ts";

const version = (n: number, writers: string[], status: Record<string, unknown>): Version => ({
  resourceVersion: String(n),
  writers,
  status,
});
const ready = (status: string, reason: string) => ({
  conditions: [{ type: "Ready", status, reason, message: "", lastTransitionTime: "t" }],
});

describe("flippingFields", () => {
  it("finds a field two writers take from each other", () => {
    const history = [
      version(1, [], {}),
      version(2, ["vmcp-lambda-fallback"], { phase: "Pending", ...ready("False", "Starting") }),
      version(3, ["vmcp"], { phase: "Ready", ...ready("True", "AllBackendsRoutable") }),
      version(4, ["vmcp-lambda-fallback"], { phase: "Pending", ...ready("False", "Starting") }),
    ];
    expect(flippingFields(history)).toEqual({
      phase: ["vmcp-lambda-fallback", "vmcp", "vmcp-lambda-fallback"],
      "conditions/Ready": ["vmcp-lambda-fallback", "vmcp", "vmcp-lambda-fallback"],
    });
  });

  it("sees no flip in a handover, nor in one writer changing a field again and again", () => {
    const history = [
      version(1, [], {}),
      version(2, ["vmcp-lambda-fallback"], { phase: "Pending" }),
      version(3, ["vmcp"], { phase: "Ready", backendCount: 1 }),
      version(4, ["vmcp"], { phase: "Degraded", backendCount: 0 }),
      version(5, ["vmcp"], { phase: "Ready", backendCount: 1 }),
      version(6, ["vmcp-lambda"], { phase: "Ready", backendCount: 1, url: "http://x" }),
    ];
    expect(flippingFields(history)).toEqual({});
  });
});
