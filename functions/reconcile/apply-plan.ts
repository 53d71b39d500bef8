// Performs a plan's writes, and only those: children by server-side apply, removals, Events for created
// or failed children, then the status applies. A failed child does not stop the others; the first error
// is rethrown at the end so the caller retries.
import type { KubeConfig } from "@kubernetes/client-node";
import { API_VERSION, FALLBACK_FIELD_MANAGER, FIELD_MANAGER } from "../core/names.ts";
import type { Plan, Snapshot } from "../core/reconcile-plan.ts";
import type { Mode } from "../core/toolhive.ts";
import { applyObject, createObject, deleteObject, jsonPatch } from "../kube/api.ts";

import { isKind } from "../kube/resources.ts";

/** `stale`: the snapshot predates a hinted write, so nothing was planned (see predatesHint). */
export type Outcome = Plan["outcome"] | "notFound" | "stale";

export interface ReconcileResult {
  readonly key: string;
  readonly mode: Mode | null;
  /** Kinds written, in order (VirtualMCPServer for status). */
  readonly written: string[];
  readonly statusWritten: boolean;
  readonly outcome: Outcome;
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

export async function applyPlan(kc: KubeConfig, snapshot: Snapshot, plan: Plan): Promise<ReconcileResult> {
  const { name, namespace = "" } = snapshot.vmcp.metadata;
  const written: string[] = [];
  let failure: unknown;
  for (const child of plan.apply) {
    const key = `${child.kind}/${child.metadata.name}`;
    try {
      await applyObject(kc, child, { fieldManager: FIELD_MANAGER });
      written.push(child.kind);
      if (plan.created.includes(key))
        await recordEvent(kc, snapshot, "Normal", `${child.kind}Created`, `Created ${key}`);
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
  let statusWritten = false;
  if (plan.statusHandover) {
    await jsonPatch(kc, "VirtualMCPServer", namespace, name, plan.statusHandover, {
      fieldManager: FIELD_MANAGER,
      subresource: "status",
    });
    statusWritten = true;
  }
  for (const [status, fieldManager] of [
    [plan.status, FIELD_MANAGER],
    [plan.fallbackStatus, FALLBACK_FIELD_MANAGER],
  ] as const) {
    if (!status) continue;
    await applyObject(
      kc,
      { apiVersion: API_VERSION, kind: "VirtualMCPServer", metadata: { name, namespace }, status },
      { fieldManager, subresource: "status" },
    );
    statusWritten = true;
  }
  if (statusWritten) written.push("VirtualMCPServer");
  if (failure) throw failure;
  return { key: `${namespace}/${name}`, mode: plan.mode, written, statusWritten, outcome: plan.outcome };
}
