// Phase, message and Ready when something other than the runtime's report decides them: a spec or an
// object it names that is wrong, a group or a referenced object not ready, a Deployment not available, and
// in static mode the backends' health. desired-status.ts lays the headline into the status it writes.

import { conditionOf, type DesiredCondition } from "../kinds/conditions.ts";
import { formatErrors } from "../kinds/field-errors.ts";
import type { Discovery } from "../runtime/discovery.ts";
import { routableCount } from "../runtime/discovery.ts";
import type { RuntimeReport } from "../runtime/report.ts";
import type { StatusFacts } from "./desired-status.ts";

export interface Headline {
  readonly phase: string;
  readonly message: string;
  readonly ready: DesiredCondition;
}

export const readyCondition = conditionOf("Ready");

export const groupReady = (group: StatusFacts["group"]) =>
  group.phase === undefined || group.phase === "Ready";
export const notReadyMessage = (group: StatusFacts["group"]) =>
  `Referenced MCPGroup ${group.name} is not ready (phase: ${group.phase})`;

/** What makes the spec unusable as it stands: its own errors, then those of the objects it names. */
export function validity(facts: StatusFacts): string | undefined {
  const errors = [
    facts.specErrors,
    facts.references.errors.length ? formatErrors(facts.references.errors) : undefined,
  ];
  return errors.filter(Boolean).join("; ") || undefined;
}

/** Phase, message and Ready when something other than backend health decides them; undefined otherwise. */
export function blockingHeadline(facts: StatusFacts): Headline | undefined {
  const fail = (reason: string, message: string): Headline => ({
    phase: "Failed",
    message,
    ready: readyCondition("False", reason, message),
  });
  const invalid = validity(facts);
  if (invalid) return fail("ValidationFailed", `Invalid spec: ${invalid}`);
  if (facts.podTemplateErrors)
    return fail("InvalidPodTemplateSpec", `Invalid PodTemplateSpec: ${facts.podTemplateErrors}`);
  if (!facts.group.found)
    return fail("GroupRefNotFound", `Referenced MCPGroup ${facts.group.name} not found`);
  if (!groupReady(facts.group)) {
    const message = notReadyMessage(facts.group);
    return { phase: "Pending", message, ready: readyCondition("False", "GroupRefNotReady", message) };
  }
  const waiting = facts.references.waiting;
  if (waiting)
    return {
      phase: "Pending",
      message: waiting.message,
      ready: readyCondition("False", waiting.reason, waiting.message),
    };
  if (facts.authErrors)
    return fail("AuthInvalid", `Authentication configuration is invalid: ${facts.authErrors}`);
  // Static mode without a usable backend: the more useful cause than a Deployment still starting.
  if (facts.discovery && facts.discovery.backends.length === 0) {
    const { reported, problems } = facts.discovery;
    const message = `No usable backend: ${reported.length === 0 ? `MCPGroup ${facts.group.name} has no members` : problems.join("; ")}`;
    return { phase: "Pending", message, ready: readyCondition("False", "NoUsableBackends", message) };
  }
  const { deployment } = facts;
  if (deployment.state === "failed")
    return fail("DeploymentFailed", `Virtual MCP server failed to start: ${deployment.message}`);
  if (deployment.state !== "available") {
    const message = "Virtual MCP server is starting";
    return { phase: "Pending", message, ready: readyCondition("False", "DeploymentNotReady", message) };
  }
  return undefined;
}

/** Static mode with the Deployment available and at least one usable backend: backend health decides. */
export function staticHeadline(discovery: Discovery): Headline {
  const total = discovery.reported.length;
  const routable = routableCount(discovery.reported);
  if (routable === total) {
    const message = "Virtual MCP server is running";
    return { phase: "Ready", message, ready: readyCondition("True", "DeploymentReady", message) };
  }
  if (routable === 0) {
    const message = `Virtual MCP server is running but all ${total} backends are unhealthy`;
    return { phase: "Degraded", message, ready: readyCondition("False", "BackendsUnavailable", message) };
  }
  const message = `Virtual MCP server is running with ${routable}/${total} backends available`;
  return { phase: "Degraded", message, ready: readyCondition("False", "BackendsDegraded", message) };
}

/** Dynamic mode with the Deployment available: the runtime speaks, unless its report is missing or old. */
export function dynamicFallback(report: RuntimeReport): Headline | undefined {
  if (report.state === "fresh") return undefined;
  const message =
    report.state === "absent"
      ? "Waiting for the vMCP runtime's first status report"
      : "vMCP runtime status is stale";
  const reason = report.state === "absent" ? "StatusReportMissing" : "StatusReportStale";
  return {
    phase: report.state === "absent" ? "Pending" : "Degraded",
    message,
    ready: readyCondition(report.state === "absent" ? "False" : "Unknown", reason, message),
  };
}
