// Resync: every VirtualMCPServer (of a namespace, or all) from one LIST per type, planned and applied
// one by one. The backstop for lost hints; in steady state it reads a fixed number of pages and writes nothing.
import type { KubeConfig } from "@kubernetes/client-node";
import { controlledByUs } from "../core/control/controller.ts";
import { readAllSnapshots } from "../kube/snapshot.ts";
import { type ReconcileOptions, reconcileSnapshot } from "../reconcile/reconcile-one.ts";

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export interface ResyncSummary {
  readonly objects: number;
  readonly written: number;
  readonly failed: number;
  /** Objects not reconciled because `shouldDefer` said so (the Lambda queues them instead). */
  readonly deferred: readonly ObjectKey[];
}

export interface ResyncOptions extends ReconcileOptions {
  readonly namespace?: string;
  readonly onError?: (object: ObjectKey, error: unknown) => void;
  /** Asked before each object; once true, this and all later objects are deferred. */
  readonly shouldDefer?: () => boolean;
}

export async function resyncAll(kc: KubeConfig, options: ResyncOptions = {}): Promise<ResyncSummary> {
  const snapshots = await readAllSnapshots(kc, options.namespace, (vmcp) =>
    controlledByUs(vmcp, options.controller),
  );
  let written = 0;
  let failed = 0;
  const deferred: ObjectKey[] = [];
  for (const snapshot of snapshots) {
    const { namespace = "", name } = snapshot.vmcp.metadata;
    if (deferred.length > 0 || options.shouldDefer?.()) {
      deferred.push({ namespace, name });
      continue;
    }
    try {
      const result = await reconcileSnapshot(kc, snapshot, options);
      if (result.written.length > 0) written += 1;
    } catch (error) {
      failed += 1;
      options.onError?.({ namespace, name }, error);
    }
  }
  return { objects: snapshots.length, written, failed, deferred };
}
