// The pieces under status: condition transitions, runtime report freshness, and the drift checks that
// decide whether anything is written at all.
import { describe, expect, it } from "vitest";
import { nextCondition } from "../../../functions/core/kinds/conditions.ts";
import { holds, ownedStatusPaths, statusPaths } from "../../../functions/core/reconcile/drift.ts";
import { durationMs, readRuntimeReport } from "../../../functions/core/runtime/report.ts";
import { LATER, NOW, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

describe("nextCondition", () => {
  const before = [
    { type: "Ready", status: "False" as const, reason: "A", message: "a", lastTransitionTime: NOW },
  ];
  it("keeps lastTransitionTime while the status stays, even if reason and message change", () => {
    const next = nextCondition(
      { type: "Ready", status: "False", reason: "B", message: "b" },
      before,
      3,
      LATER,
    );
    expect(next).toEqual({
      type: "Ready",
      status: "False",
      reason: "B",
      message: "b",
      lastTransitionTime: NOW,
      observedGeneration: 3,
    });
  });
  it("moves it when the status flips, or the condition is new", () => {
    expect(
      nextCondition({ type: "Ready", status: "True", reason: "C", message: "c" }, before, 3, LATER)
        .lastTransitionTime,
    ).toBe(LATER);
    expect(
      nextCondition({ type: "Valid", status: "True", reason: "C", message: "c" }, before, 3, LATER)
        .lastTransitionTime,
    ).toBe(LATER);
  });
});

describe("readRuntimeReport", () => {
  const reported = (lastHealthCheck: string, interval?: string) =>
    vmcp(
      interval ? { config: { operational: { failureHandling: { statusReportingInterval: interval } } } } : {},
      {
        discoveredBackends: [
          { name: "a", status: "ready", lastHealthCheck },
          { name: "b", status: "unavailable", lastHealthCheck },
        ],
      },
    );

  it("parses Go durations", () => {
    expect(durationMs("1m30s")).toBe(90_000);
    expect(durationMs("250ms")).toBe(250);
    expect(durationMs("soon")).toBeUndefined();
  });

  it("is fresh within three reporting intervals, stale after, absent before the first report", () => {
    expect(readRuntimeReport(reported(NOW), "2026-11-24T10:01:29.000Z", "top-level")).toMatchObject({
      state: "fresh",
      routable: 1,
      total: 2,
    });
    expect(readRuntimeReport(reported(NOW), "2026-11-24T10:01:31.000Z", "top-level").state).toBe("stale");
    expect(readRuntimeReport(reported(NOW, "1m"), "2026-11-24T10:02:59.000Z", "top-level").state).toBe(
      "fresh",
    );
    expect(readRuntimeReport(vmcp(), NOW, "top-level").state).toBe("absent");
  });

  it("reads status.runtime for a runtime that reports there (v0.47 on), and only there", () => {
    const top = reported(NOW);
    expect(readRuntimeReport(top, NOW, "runtime").state).toBe("absent");
    const nested = vmcp({}, { runtime: { phase: "Ready", backendCount: 1, ...top.status } });
    expect(readRuntimeReport(nested, "2026-11-24T10:01:00.000Z", "runtime")).toMatchObject({
      state: "fresh",
      phase: "Ready",
      routable: 1,
      total: 2,
    });
    expect(readRuntimeReport(nested, NOW, "top-level").state).toBe("absent");
  });

  it("takes the runtime's own status write time from managedFields, ignoring the functions' writes", () => {
    const object = reported(NOW);
    object.metadata.managedFields = [
      { manager: "vmcp", operation: "Update", subresource: "status", time: "2026-11-24T10:04:00Z" },
      { manager: "vmcp-lambda", operation: "Apply", subresource: "status", time: "2026-11-24T10:09:00Z" },
    ];
    expect(readRuntimeReport(object, "2026-11-24T10:05:00.000Z", "top-level")).toMatchObject({
      state: "fresh",
      reportedAt: "2026-11-24T10:04:00Z",
    });
  });
});

describe("drift", () => {
  it("holds: desired values present in live, keyed lists by name, extra live fields ignored", () => {
    const live = {
      spec: {
        containers: [{ name: "sidecar" }, { name: "vmcp", image: "a", env: [{ name: "X", value: "1" }] }],
        extra: true,
      },
    };
    expect(holds({ spec: { containers: [{ name: "vmcp", image: "a" }] } }, live)).toBe(true);
    expect(holds({ spec: { containers: [{ name: "vmcp", image: "b" }] } }, live)).toBe(false);
    expect(holds({ spec: { containers: [{ name: "vmcp", env: [{ name: "Y", value: "1" }] }] } }, live)).toBe(
      false,
    );
    expect(holds({ args: ["serve", "--port=1"] }, { args: ["serve"] })).toBe(false);
  });

  it("reads the status paths a manager owns from managedFields", () => {
    const entry = {
      manager: "vmcp-lambda",
      operation: "Apply",
      subresource: "status",
      fieldsV1: {
        "f:status": {
          "f:url": {},
          "f:conditions": { 'k:{"type":"Valid"}': { ".": {}, "f:status": {} } },
          "f:discoveredBackends": { 'k:{"name":"a"}': {} },
        },
      },
    };
    expect([...ownedStatusPaths([entry], "vmcp-lambda")].sort()).toEqual([
      "conditions",
      "conditions/Valid",
      "discoveredBackends",
      "discoveredBackends/a",
      "url",
    ]);
    expect(ownedStatusPaths([entry], "other").size).toBe(0);
    expect([...statusPaths({ url: "u", conditions: [{ type: "Valid" }] })].sort()).toEqual([
      "conditions",
      "conditions/Valid",
      "url",
    ]);
  });
});
