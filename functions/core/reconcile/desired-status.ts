// The status the functions write, split by who owns what (docs/adr/0003, 0006): the main apply always
// carries the infrastructure facts; in static mode, and in dynamic mode with a runtime that reports into
// status.runtime (v0.47 on), it also carries backends, phase, message and Ready. A runtime that writes the
// top level itself (up to v0.46) owns backends, and owns phase, message and Ready while its report is fresh;
// otherwise a separate fallback apply writes those three, so the main field manager never holds (and never
// has to let go of) a field the runtime takes back.

import { type DesiredCondition, nextCondition } from "../kinds/conditions.ts";
import type { Condition } from "../kinds/kubernetes.ts";
import type { Mode, VirtualMCPServer } from "../kinds/toolhive.ts";
import type { Resolved } from "../references/references.ts";
import type { Discovery } from "../runtime/discovery.ts";
import { routableCount } from "../runtime/discovery.ts";
import { projectedBackends, projectedConditions, reportedHeadline } from "../runtime/projection.ts";
import { freshnessMs, NO_REPORT, type RuntimeReport } from "../runtime/report.ts";
import type { StatusShape } from "../runtime/versions.ts";
import type { DeploymentState } from "./deployment-state.ts";
import {
  blockingHeadline,
  dynamicFallback,
  groupReady,
  type Headline,
  notReadyMessage,
  staticHeadline,
  validity,
} from "./status-headline.ts";

export const MIRROR_CONDITION = "RuntimeStatusReported";

export interface StatusFacts {
  readonly vmcp: VirtualMCPServer;
  readonly mode: Mode;
  readonly now: string;
  readonly url: string;
  readonly specErrors: string | undefined;
  /** The referenced objects' verdicts: errors (missing, unusable), conditions, status fields. */
  readonly references: Pick<Resolved, "errors" | "waiting" | "conditions" | "status">;
  readonly podTemplateErrors: string | undefined;
  /**
   * The MCPGroup: found or not, and the phase ToolHive's group controller gave it (undefined when no such
   * controller has written one: the group is then taken as usable, since the functions do not need it).
   */
  readonly group: { name: string; found: boolean; phase?: string };
  readonly authErrors: string | undefined;
  readonly discovery: Discovery | undefined;
  readonly deployment: DeploymentState;
  readonly report: RuntimeReport | undefined;
  /** Where the deployed runtime version reports (core/runtime/versions.ts). */
  readonly shape: StatusShape;
}

export interface StatusPlan {
  /** Applied by FIELD_MANAGER on /status. */
  readonly main: Record<string, unknown>;
  /** Applied by FALLBACK_FIELD_MANAGER, dynamic mode only, when the runtime cannot speak for itself. */
  readonly fallback: Record<string, unknown> | undefined;
}

const check = (
  type: string,
  error: string | undefined,
  ok: [string, string],
  bad: string,
): DesiredCondition =>
  error === undefined
    ? { type, status: "True", reason: ok[0], message: ok[1] }
    : { type, status: "False", reason: bad, message: error };

/** The GroupRefValidated condition, in upstream's words. */
function groupCondition(facts: StatusFacts): DesiredCondition {
  const { group } = facts;
  const type = "GroupRefValidated";
  if (!group.found)
    return {
      type,
      status: "False",
      reason: "GroupRefNotFound",
      message: `MCPGroup ${group.name} not found in namespace ${facts.vmcp.metadata.namespace}`,
    };
  if (!groupReady(group))
    return { type, status: "False", reason: "GroupRefNotReady", message: notReadyMessage(group) };
  return { type, status: "True", reason: "GroupRefValid", message: `MCPGroup ${group.name} is valid` };
}

// No time in these messages: a message that changes with time alone would be a status write every
// reconcile. The condition's lastTransitionTime says when the report became fresh or stale.
function mirrorCondition(report: RuntimeReport, vmcp: VirtualMCPServer): DesiredCondition {
  switch (report.state) {
    case "fresh":
      return {
        type: MIRROR_CONDITION,
        status: "True",
        reason: "ReportFresh",
        message: `vMCP runtime reports ${report.routable}/${report.total} backends routable`,
      };
    case "stale":
      return {
        type: MIRROR_CONDITION,
        status: "False",
        reason: "ReportStale",
        message: `vMCP runtime has not reported for over ${freshnessMs(vmcp) / 1000}s (three reporting intervals); it may not be running`,
      };
    case "absent":
      return {
        type: MIRROR_CONDITION,
        status: "False",
        reason: "NoReport",
        message: "vMCP runtime has not reported status yet",
      };
  }
}

/**
 * A referenced object's condition into the list. Of a type the functions decide themselves (AuthConfigured,
 * which upstream also uses for the authorization ConfigMap) it takes the place of the functions' verdict
 * when that one is True; a failure the functions found stands (the reference's own error is in Valid).
 */
function overlay(conditions: DesiredCondition[], referenced: DesiredCondition): void {
  const at = conditions.findIndex((c) => c.type === referenced.type);
  if (at < 0) conditions.push(referenced);
  else if (conditions[at]?.status === "True") conditions[at] = referenced;
}

export function desiredStatus(facts: StatusFacts): StatusPlan {
  const { vmcp, mode, now } = facts;
  const generation = vmcp.metadata.generation;
  const previous: readonly Condition[] = vmcp.status?.conditions ?? [];
  const conditions: DesiredCondition[] = [
    check("Valid", validity(facts), ["ValidationSucceeded", "Spec is valid"], "ValidationFailed"),
    check(
      "PodTemplateSpecValid",
      facts.podTemplateErrors,
      ["PodTemplateSpecValid", "PodTemplateSpec is valid"],
      "InvalidPodTemplateSpec",
    ),
    groupCondition(facts),
    check(
      "AuthConfigured",
      facts.authErrors,
      ["AuthValid", "Authentication configuration is valid"],
      "AuthInvalid",
    ),
  ];
  for (const referenced of facts.references.conditions) overlay(conditions, referenced);
  const deployment = facts.deployment;
  conditions.push(
    deployment.state === "available"
      ? {
          type: "DeploymentAvailable",
          status: "True",
          reason: "DeploymentReady",
          message: deployment.message,
        }
      : deployment.state === "failed"
        ? {
            type: "DeploymentAvailable",
            status: "False",
            reason: "DeploymentFailed",
            message: deployment.message,
          }
        : {
            type: "DeploymentAvailable",
            status: "False",
            reason: "DeploymentNotReady",
            message: deployment.state === "missing" ? "Deployment not created yet" : deployment.message,
          },
  );
  const main: Record<string, unknown> = {
    observedGeneration: generation,
    url: facts.url,
    ...facts.references.status,
  };
  const blocked = blockingHeadline(facts);
  let fallback: Headline | undefined;
  if (mode === "static") {
    const discovery = facts.discovery;
    if (discovery) {
      main.discoveredBackends = discovery.reported;
      main.backendCount = routableCount(discovery.reported);
      conditions.push(
        discovery.backends.length > 0
          ? {
              type: "BackendsDiscovered",
              status: "True",
              reason: "BackendsDiscoveredSuccessfully",
              message: `Discovered ${discovery.reported.length} backends (${discovery.backends.length} usable)`,
            }
          : {
              type: "BackendsDiscovered",
              status: "False",
              reason: "NoUsableBackends",
              message: discovery.problems.join("; ") || `MCPGroup ${facts.group.name} has no members`,
            },
      );
    }
    const headline = blocked ?? (discovery ? staticHeadline(discovery) : undefined);

    if (headline) {
      main.phase = headline.phase;
      main.message = headline.message;
      conditions.push(headline.ready);
    }
  } else {
    const report = facts.report ?? NO_REPORT;
    conditions.push(mirrorCondition(report, facts.vmcp));
    const fresh = report.state === "fresh";
    if (facts.shape === "runtime") {
      // The one writer of the top level: the report projected, unless something else decides.
      if (report.state !== "absent") {
        main.discoveredBackends = projectedBackends(report, vmcp.status?.discoveredBackends ?? []);
        main.backendCount = report.routable;
        conditions.push(...projectedConditions(report));
      }
      const headline = blocked ?? dynamicFallback(report) ?? reportedHeadline(report);
      main.phase = headline.phase;
      main.message = headline.message;
      conditions.push(headline.ready);
    } else if (!fresh) {
      // The runtime writes phase, message and Ready itself; the fallback speaks only while it cannot.
      fallback = blocked ?? dynamicFallback(report);
    }
  }
  main.conditions = conditions.map((c) => nextCondition(c, previous, generation, now));
  return {
    main,
    fallback: fallback && {
      phase: fallback.phase,
      message: fallback.message,
      conditions: [nextCondition(fallback.ready, previous, generation, now)],
    },
  };
}
