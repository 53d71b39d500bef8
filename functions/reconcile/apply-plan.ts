// Performs a plan's writes, and only those: children by server-side apply, removals, Events for created
// or failed children; then the status applies, onto the snapshot's version only. A failed child does not
// stop the others; its error is returned for the caller to rethrow once the status is written.
import type { KubeConfig } from "@kubernetes/client-node";
import { API_VERSION, FALLBACK_FIELD_MANAGER, FIELD_MANAGER } from "../core/kinds/names.ts";
import { isKind } from "../core/kinds/resources.ts";
import type { Mode } from "../core/kinds/toolhive.ts";
import type { Plan, Snapshot } from "../core/reconcile/plan.ts";
import { applyObject, createObject, deleteObject, jsonPatch } from "../kube/api.ts";

export type ReconcileOutcome = Plan["outcome"] | "notFound";

export interface ReconcileResult {
  readonly key: string;
  readonly mode: Mode | null;
  /** Kinds written, in order (VirtualMCPServer for status). */
  readonly written: string[];
  readonly statusWritten: boolean;
  readonly outcome: ReconcileOutcome;
}

async function recordEvent(
  kc: KubeConfig,
  snapshot: Snapshot,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
) {
  const { metadata } = snapshot.vmcp;
  const now = new Date().toISOString();
  await createObject(kc, "Event", metadata.namespace ?? "", {
    metadata: { generateName: `${metadata.name}.`, namespace: metadata.namespace },
    involvedObject: {
      apiVersion: API_VERSION,
      kind: "VirtualMCPServer",
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
    },
    type,
    reason,
    message,
    source: { component: "vmcp-lambda" },
    reportingComponent: "vmcp-lambda",
    reportingInstance: "vmcp-lambda",
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  }).catch(() => undefined); // An Event is a courtesy; failing to record one must not fail the reconcile.
}

const versionOf = (object: unknown) =>
  (object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;

/** The children's writes (applies, Events, removals); the kinds written, and the first failure if any. */
export async function applyChildren(
  kc: KubeConfig,
  snapshot: Snapshot,
  plan: Plan,
): Promise<{ written: string[]; failure: unknown }> {
  const namespace = snapshot.vmcp.metadata.namespace ?? "";
  const written: string[] = [];
  let failure: unknown;
  // Ownership first (control/handover.ts): taking over, each apply below then drops the operator's extras.
  for (const { kind, name, patch } of plan.ownership) {
    if (!isKind(kind)) continue;
    try {
      await jsonPatch(kc, kind, namespace, name, patch, { fieldManager: FIELD_MANAGER });
      written.push(kind);
    } catch (error) {
      failure ??= error;
    }
  }
  for (const child of plan.apply) {
    const key = `${child.kind}/${child.metadata.name}`;
    try {
      await applyObject(kc, child, { fieldManager: FIELD_MANAGER });
      written.push(child.kind);
      if (plan.created.includes(key))
        await recordEvent(kc, snapshot, "Normal", `${child.kind}Created`, `Created ${key}`);
      if (child.kind === "ConfigMap" && plan.droppedConfig.length > 0)
        await recordEvent(kc, snapshot, "Warning", "ConfigSettingsLeftOut", plan.droppedConfig.join("; "));
    } catch (error) {
      failure ??= error;
      const verb = plan.created.includes(key) ? "Creation" : "Update";
      await recordEvent(
        kc,
        snapshot,
        "Warning",
        `${child.kind}${verb}Failed`,
        `${key}: ${(error as Error).message}`,
      );
    }
  }
  for (const child of plan.remove) {
    if (!isKind(child.kind)) continue;
    await deleteObject(kc, child.kind, namespace, child.name);
    written.push(child.kind);
  }
  return { written, failure };
}

/**
 * The status writes; true if any. Status is computed from the snapshot (a condition's lastTransitionTime
 * from its previous status), so it is applied only onto that very version of the object: a writer in
 * between makes it a 409 Conflict, and the caller replans from a fresh read.
 */
export async function applyStatus(kc: KubeConfig, snapshot: Snapshot, plan: Plan): Promise<boolean> {
  const { name, namespace = "" } = snapshot.vmcp.metadata;
  let resourceVersion = snapshot.vmcp.metadata.resourceVersion;
  let written = false;
  if (plan.statusHandover) {
    // Its test operations guard it; it moves ownership and computes nothing from the snapshot.
    resourceVersion = versionOf(
      await jsonPatch(kc, "VirtualMCPServer", namespace, name, plan.statusHandover, {
        fieldManager: FIELD_MANAGER,
        subresource: "status",
      }),
    );
    written = true;
  }
  // On the object, not /status: the API server ignores managedFields sent to the status subresource.
  if (plan.statusOwnership) {
    resourceVersion = versionOf(
      await jsonPatch(kc, "VirtualMCPServer", namespace, name, plan.statusOwnership, {
        fieldManager: FIELD_MANAGER,
      }),
    );
    written = true;
  }
  for (const [status, fieldManager] of [
    [plan.status, FIELD_MANAGER],
    [plan.fallbackStatus, FALLBACK_FIELD_MANAGER],
  ] as const) {
    if (!status) continue;
    const object = {
      apiVersion: API_VERSION,
      kind: "VirtualMCPServer",
      metadata: { name, namespace, resourceVersion },
      status,
    };
    resourceVersion = versionOf(await applyObject(kc, object, { fieldManager, subresource: "status" }));
    written = true;
  }
  return written;
}
