// Dynamic mode: what the vMCP runtime last reported, where its version reports (the top level, or
// status.runtime), and whether that report is still fresh. The report's time is the later of the runtime's
// own status write (its managedFields entry) and the newest lastHealthCheck it wrote.

import { findCondition } from "../kinds/conditions.ts";
import type { Condition, ManagedFieldsEntry } from "../kinds/kubernetes.ts";
import { FIELD_MANAGERS } from "../kinds/names.ts";
import { type DiscoveredBackend, RuntimeStatus, type VirtualMCPServer } from "../kinds/toolhive.ts";
import { routableCount } from "./discovery.ts";
import type { StatusShape } from "./versions.ts";

export type ReportState = "fresh" | "stale" | "absent";

export interface RuntimeReport {
  readonly state: ReportState;
  readonly reportedAt?: string;
  readonly routable: number;
  readonly total: number;
  readonly phase?: string;
  readonly message?: string;
  readonly backends: readonly DiscoveredBackend[];
  readonly conditions: readonly Condition[];
}

export const NO_REPORT: RuntimeReport = {
  state: "absent",
  routable: 0,
  total: 0,
  backends: [],
  conditions: [],
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** A Go duration string ("30s", "1m30s") in milliseconds; undefined when it is not one. */
export function durationMs(text: unknown): number | undefined {
  if (typeof text !== "string" || text === "") return undefined;
  let total = 0;
  let matched = "";
  for (const [whole, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
    matched += whole;
  }
  return matched === text ? total : undefined;
}

/** How long a report stays fresh: three reporting intervals, so one slow or lost write is no alarm. */
export function freshnessMs(vmcp: VirtualMCPServer): number {
  const config = vmcp.spec.config as
    | { operational?: { failureHandling?: { statusReportingInterval?: unknown } } }
    | undefined;
  const interval = durationMs(config?.operational?.failureHandling?.statusReportingInterval) || 30_000;
  return 3 * interval;
}

const isRuntimeWrite = (entry: ManagedFieldsEntry) =>
  entry.subresource === "status" && !FIELD_MANAGERS.includes(entry.manager ?? "") && entry.time !== undefined;

/** The fields a runtime version reports into: the top level (up to v0.46), or status.runtime (v0.47 on). */
function reportedFields(vmcp: VirtualMCPServer, shape: StatusShape) {
  const status = vmcp.status ?? {};
  if (shape === "top-level") return status;
  const runtime = (status as { runtime?: unknown }).runtime;
  const parsed = RuntimeStatus.safeParse(runtime ?? {});
  return parsed.success ? parsed.data : {};
}

export function readRuntimeReport(vmcp: VirtualMCPServer, now: string, shape: StatusShape): RuntimeReport {
  const fields = reportedFields(vmcp, shape);
  const backends = fields.discoveredBackends ?? [];
  const conditions = fields.conditions ?? [];
  const reported = backends.length > 0 || findCondition(conditions, "BackendsDiscovered") !== undefined;
  const times = [
    ...(vmcp.metadata.managedFields ?? []).filter(isRuntimeWrite).map((e) => e.time as string),
    ...backends.map((b) => b.lastHealthCheck).filter((t): t is string => typeof t === "string"),
  ];
  const reportedAt =
    times.length > 0 ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : undefined;
  if (!reported || !reportedAt) return NO_REPORT;
  const age = Date.parse(now) - Date.parse(reportedAt);
  return {
    state: age > freshnessMs(vmcp) ? "stale" : "fresh",
    reportedAt,
    routable: fields.backendCount ?? routableCount(backends),
    total: backends.length,
    phase: fields.phase,
    message: fields.message,
    backends,
    conditions,
  };
}
