// Resync: every VirtualMCPServer (of a namespace, or all) from one LIST per type, planned and applied
// one by one. The backstop for lost hints; in steady state it reads a fixed number of pages and writes nothing.
import type { KubeConfig } from "@kubernetes/client-node";
import { DEFAULT_VMCP_IMAGE } from "../core/desired-children.ts";
import { planReconcile } from "../core/reconcile-plan.ts";
import { readAllSnapshots } from "../kube/snapshot.ts";
import { applyPlan } from "../reconcile/apply-plan.ts";
import type { ReconcileOptions } from "../reconcile/reconcile-one.ts";

export interface ResyncSummary {
  readonly objects: number;
  readonly written: number;
  readonly failed: number;
}

export interface ResyncOptions extends ReconcileOptions {
  readonly namespace?: string;
  readonly onError?: (key: string, error: unknown) => void;
}

export async function resyncAll(kc: KubeConfig, options: ResyncOptions = {}): Promise<ResyncSummary> {
  const snapshots = await readAllSnapshots(kc, options.namespace);
  let written = 0;
  let failed = 0;
  for (const snapshot of snapshots) {
    const plan = planReconcile(snapshot, {
      image: options.image ?? DEFAULT_VMCP_IMAGE,
      now: (options.now?.() ?? new Date()).toISOString(),
    });
    try {
      const result = await applyPlan(kc, snapshot, plan);
      if (result.written.length > 0) written += 1;
    } catch (error) {
      failed += 1;
      options.onError?.(`${snapshot.vmcp.metadata.namespace}/${snapshot.vmcp.metadata.name}`, error);
    }
  }
  return { objects: snapshots.length, written, failed };
}
