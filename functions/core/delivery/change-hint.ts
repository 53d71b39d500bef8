// What flows from admission to reconcile: a change hint (one allowed write, as the admission function saw
// it) and a reconcile request (one VirtualMCPServer to reconcile, and why). Both cross a bus or a queue, so
// both are zod schemas that the receiving side parses.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { KubeObject } from "../kinds/kubernetes.ts";
import { groupOf, type VirtualMCPServer } from "../kinds/toolhive.ts";
import type { Snapshot } from "../reconcile/plan.ts";
import { windowOf } from "./hint-window.ts";

export const HintedKind = z.enum([
  "VirtualMCPServer",
  "MCPServer",
  "MCPRemoteProxy",
  "MCPGroup",
  "MCPExternalAuthConfig",
  "Deployment",
]);
export type HintedKind = z.infer<typeof HintedKind>;

export const ChangeHint = z.object({
  kind: HintedKind,
  namespace: z.string().min(1),
  name: z.string().min(1),
  uid: z.string(),
  operation: z.enum(["CREATE", "UPDATE", "DELETE"]),
  /** The object's resourceVersion before the write; absent on CREATE. */
  oldResourceVersion: z.string().optional(),
  /** For members: the groups named before and after the write, whose VirtualMCPServers it affects. */
  groups: z.array(z.string()).default([]),
  /** When admission saw the write (epoch ms): the hint's coalescing window. Absent from older senders. */
  at: z.number().int().nonnegative().optional(),
});
export type ChangeHint = z.infer<typeof ChangeHint>;

export const ReconcileRequest = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  trigger: z.enum(["hint", "resync"]),
  cause: ChangeHint.optional(),
});
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

export const keyOf = (request: { namespace: string; name: string }) => `${request.namespace}/${request.name}`;

/** Hints that name their VirtualMCPServer directly; the others need the namespace's list to expand. */
export const isDirect = (hint: ChangeHint) => hint.kind === "VirtualMCPServer" || hint.kind === "Deployment";

/** The label selector that narrows the namespace's VirtualMCPServers for a hint, if one does. */
export function selectorFor(hint: ChangeHint, groupLabel: string): string | undefined {
  if (hint.kind === "MCPGroup") return `${groupLabel}=${hint.name}`;
  if ((hint.kind === "MCPServer" || hint.kind === "MCPRemoteProxy") && hint.groups.length > 0)
    return `${groupLabel} in (${[...new Set(hint.groups)].sort().join(",")})`;
  return undefined;
}

/** The VirtualMCPServers a hint affects, as reconcile requests, given the namespace's VirtualMCPServers. */
export function expandHint(hint: ChangeHint, vmcps: readonly VirtualMCPServer[]): ReconcileRequest[] {
  const request = (name: string): ReconcileRequest => ({
    namespace: hint.namespace,
    name,
    trigger: "hint",
    cause: hint,
  });
  // A Deployment is named after its VirtualMCPServer.
  if (isDirect(hint)) return [request(hint.name)];
  const affected = vmcps.filter((vmcp) => {
    if (hint.kind === "MCPExternalAuthConfig") return true; // referenced directly or through members
    const group = groupOf(vmcp);
    if (!group) return false;
    return hint.kind === "MCPGroup" ? group === hint.name : hint.groups.includes(group);
  });
  return affected.map((vmcp) => request(vmcp.metadata.name)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * FIFO deduplication: hints for one target in one window collapse into one request (see hint-window.ts),
 * so the same write announced twice does too. Resyncs collapse per schedule tick.
 */
export function deduplicationId(request: ReconcileRequest, resyncAt?: string): string {
  const cause = request.cause;
  const identity = !cause
    ? ["resync", resyncAt ?? "", keyOf(request)]
    : cause.at === undefined
      ? [cause.kind, cause.uid, cause.operation, cause.oldResourceVersion ?? "", keyOf(request)]
      : ["window", String(windowOf(cause.at)), keyOf(request)];
  return createHash("sha256").update(identity.join("\n")).digest("hex");
}

type Meta = { metadata: { name: string; resourceVersion?: string } };

function causeObject(snapshot: Snapshot, cause: ChangeHint): Meta | undefined {
  const named = <T extends Meta>(items: readonly T[]) => items.find((i) => i.metadata.name === cause.name);
  switch (cause.kind) {
    case "VirtualMCPServer":
      return snapshot.vmcp;
    case "MCPGroup":
      return snapshot.group?.metadata.name === cause.name ? snapshot.group : undefined;
    case "MCPServer":
    case "MCPRemoteProxy":
      return named(snapshot.workloads.filter((w) => w.kind === cause.kind));
    case "MCPExternalAuthConfig":
      return named(snapshot.authConfigs);
    case "Deployment":
      return named(snapshot.children.filter((c: KubeObject) => c.kind === "Deployment"));
  }
}

/**
 * True when the snapshot still shows the world from before the hinted write: the object is missing after
 * a CREATE, or still carries the old resourceVersion after an UPDATE or DELETE. The write may land later,
 * or never (another webhook can refuse it), so the caller retries a few times and then lets it go.
 */
export function predatesHint(snapshot: Snapshot | undefined, cause: ChangeHint): boolean {
  if (!snapshot) return cause.kind === "VirtualMCPServer" && cause.operation === "CREATE";
  // A group the VirtualMCPServer does not use cannot be judged from its snapshot, and does not matter to it.
  if (cause.kind === "MCPGroup" && groupOf(snapshot.vmcp) !== cause.name) return false;
  const object = causeObject(snapshot, cause);
  if (cause.operation === "CREATE") return object === undefined;
  return object !== undefined && object.metadata.resourceVersion === cause.oldResourceVersion;
}
