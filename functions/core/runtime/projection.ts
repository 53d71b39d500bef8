// From v0.47.0 the vMCP runtime reports into status.runtime and nowhere else; the functions are then the
// one writer of the top level and project the report into it, as upstream's later operators do. What the
// projection copies changes only when the report says something new: a backend's lastHealthCheck is kept
// while its status holds, so a runtime that reports every 30 s costs the functions no write.

import type { DesiredCondition } from "../kinds/conditions.ts";
import { findCondition } from "../kinds/conditions.ts";
import type { DiscoveredBackend } from "../kinds/toolhive.ts";
import type { RuntimeReport } from "./report.ts";

/** The report's backends, each with the lastHealthCheck already shown while its status is unchanged. */
export function projectedBackends(
  report: RuntimeReport,
  shown: readonly DiscoveredBackend[],
): DiscoveredBackend[] {
  return report.backends.map((backend) => {
    const before = shown.find((b) => b.name === backend.name);
    return before && before.status === backend.status && before.lastHealthCheck
      ? { ...backend, lastHealthCheck: before.lastHealthCheck }
      : backend;
  });
}

const desired = (type: string, report: RuntimeReport): DesiredCondition | undefined => {
  const c = findCondition(report.conditions, type);
  return c && { type, status: c.status, reason: c.reason ?? type, message: c.message ?? "" };
};

/** The runtime's own conditions the top level carries (Ready is decided with the Deployment's state). */
export function projectedConditions(report: RuntimeReport): DesiredCondition[] {
  return ["BackendsDiscovered", "Degraded"].flatMap((type) => desired(type, report) ?? []);
}

/** Phase, message and Ready as a fresh report states them. */
export function reportedHeadline(report: RuntimeReport) {
  const ready = desired("Ready", report) ?? {
    type: "Ready",
    status: report.phase === "Ready" ? "True" : "False",
    reason: report.phase === "Ready" ? "AllBackendsRoutable" : "BackendsUnavailable",
    message: report.message ?? "",
  };
  return { phase: report.phase ?? "Pending", message: report.message ?? ready.message, ready };
}
