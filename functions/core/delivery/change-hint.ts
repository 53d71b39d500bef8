// What flows from admission to reconcile: a change hint (one allowed write, as the admission function saw
// it) and a reconcile request (one VirtualMCPServer to reconcile, and why). Both cross a bus or a queue, so
// both are zod schemas that the receiving side parses.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { KubeObject } from "../kinds/kubernetes.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import type { Snapshot } from "../reconcile/plan.ts";
import {
  affectedBy,
  namesSelected,
  RELATED,
  RELATED_KINDS,
  relatedFieldOf,
  relatedObjectsOf,
} from "../reconcile/related-kinds.ts";
import { windowOf } from "./hint-window.ts";

type RelatedKind = (typeof RELATED)[keyof typeof RELATED]["kinds"][number];
/** The object itself, its related kinds (RELATED), and its Deployment, whose availability status reports. */
const HINTED_KINDS = ["VirtualMCPServer", ...RELATED_KINDS.map((related) => related.kind), "Deployment"] as [
  "VirtualMCPServer" | RelatedKind | "Deployment",
  ...("VirtualMCPServer" | RelatedKind | "Deployment")[],
];
export const HintedKind = z.enum(HINTED_KINDS);
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

export const namespacedName = (request: { namespace: string; name: string }) =>
  `${request.namespace}/${request.name}`;

/** Hints that name their VirtualMCPServer directly; the others need the namespace's list to expand. */
export const isDirect = (hint: ChangeHint) => hint.kind === "VirtualMCPServer" || hint.kind === "Deployment";

/** The label selector that narrows the namespace's VirtualMCPServers for a hint, if one does. */
export function selectorFor(hint: ChangeHint): string | undefined {
  const field = relatedFieldOf(hint.kind);
  return field ? RELATED[field].selector?.(hint) : undefined;
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
  const field = relatedFieldOf(hint.kind);
  if (!field) return [];
  const affected = vmcps.filter((vmcp) => affectedBy(field, hint, vmcp));
  return affected.map((vmcp) => request(vmcp.metadata.name)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * FIFO deduplication: hints for one target in one window collapse into one request (see hint-window.ts),
 * so the same write announced twice does too. Resyncs collapse per schedule tick.
 */
export function deduplicationId(request: ReconcileRequest, resyncAt?: string): string {
  const cause = request.cause;
  const identity = !cause
    ? ["resync", resyncAt ?? "", namespacedName(request)]
    : cause.at === undefined
      ? [cause.kind, cause.uid, cause.operation, cause.oldResourceVersion ?? "", namespacedName(request)]
      : ["window", String(windowOf(cause.at)), namespacedName(request)];
  return createHash("sha256").update(identity.join("\n")).digest("hex");
}

type Meta = { metadata: { name: string; resourceVersion?: string } };

function causeObject(snapshot: Snapshot, cause: ChangeHint): Meta | undefined {
  if (cause.kind === "VirtualMCPServer") return snapshot.vmcp;
  const candidates =
    cause.kind === "Deployment"
      ? snapshot.children.filter((c: KubeObject) => c.kind === "Deployment")
      : relatedObjectsOf(snapshot, cause.kind);
  return candidates.find((object) => object.metadata.name === cause.name);
}

/**
 * True when the snapshot still shows the world from before the hinted write: the object is missing after
 * a CREATE, or still carries the old resourceVersion after an UPDATE or DELETE. The write may land later,
 * or never (another webhook can refuse it), so the caller retries a few times and then lets it go.
 */
export function predatesHint(snapshot: Snapshot | undefined, cause: ChangeHint): boolean {
  if (!snapshot) return cause.kind === "VirtualMCPServer" && cause.operation === "CREATE";
  // An object the VirtualMCPServer does not name (a group it does not use) cannot be judged from its
  // snapshot, and does not matter to it.
  const field = relatedFieldOf(cause.kind);
  const names = field ? namesSelected(field, snapshot.vmcp) : undefined;
  if (names !== undefined && !names.includes(cause.name)) return false;
  const object = causeObject(snapshot, cause);
  if (cause.operation === "CREATE") return object === undefined;
  return object !== undefined && object.metadata.resourceVersion === cause.oldResourceVersion;
}
