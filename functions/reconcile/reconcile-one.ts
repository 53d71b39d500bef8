// Reconcile one VirtualMCPServer: read its snapshot, plan, apply. Level-based: it reconciles what the read
// shows, whatever asked for it. The command line calls reconcileOne; the reconcile Lambda (after its
// stale-read gate, core/delivery/queue-batch.ts) and the resync call reconcileSnapshot on what they read.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Controller } from "../core/control/controller.ts";
import { statusTime } from "../core/kinds/conditions.ts";
import { type Plan, planReconcile, type Snapshot } from "../core/reconcile/plan.ts";
import { DEFAULT_VMCP_IMAGE, type RuntimeProfile, runtimeProfile } from "../core/runtime/versions.ts";
import { ApiError } from "../kube/api.ts";
import { readSnapshot, readVirtualMCPServer } from "../kube/snapshot.ts";
import { applyChildren, applyStatus, type ReconcileResult } from "./apply-plan.ts";

export interface ReconcileOptions {
  /** The vMCP image; the functions' VMCP_IMAGE setting. */
  readonly image?: string;
  /** The runtime that image runs (VMCP_RUNTIME_VERSION, else the image's tag). */
  readonly runtime?: RuntimeProfile;
  readonly now?: () => Date;
  /** Who controls an object without the controller label (VMCP_DEFAULT_CONTROLLER); vmcp-lambda by default. */
  readonly controller?: Controller;
}

const resultOf = (snapshot: Snapshot, plan: Plan, written: string[], statusWritten: boolean) => ({
  key: `${snapshot.vmcp.metadata.namespace}/${snapshot.vmcp.metadata.name}`,
  mode: plan.mode,
  written: statusWritten ? [...written, "VirtualMCPServer"] : written,
  statusWritten,
  outcome: plan.outcome,
});

/** The result when the object is not there (deleted, or never created): nothing to do. */
export const notFound = (key: string): ReconcileResult => ({
  key,
  mode: null,
  written: [],
  statusWritten: false,
  outcome: "notFound",
});

/** Status writes tried when other writers (the runtime, a resync) keep changing the object in between. */
const CONFLICT_ATTEMPTS = 5;

const isConflict = (error: unknown) => error instanceof ApiError && error.code === 409;

export async function reconcileOne(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const snapshot = await readSnapshot(kc, namespace, name);
  return snapshot ? reconcileSnapshot(kc, snapshot, options) : notFound(`${namespace}/${name}`);
}

/** Plans and applies one snapshot, however it was read (one object's reads, or the resync's LISTs). */
export async function reconcileSnapshot(
  kc: KubeConfig,
  read: Snapshot,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const { namespace = "", name } = read.vmcp.metadata;
  const plan = (of: Snapshot) =>
    planReconcile(of, {
      image: options.image ?? DEFAULT_VMCP_IMAGE,
      runtime: options.runtime ?? runtimeProfile(options.image ?? DEFAULT_VMCP_IMAGE),
      now: statusTime(options.now?.() ?? new Date()),
      controller: options.controller,
    });
  let snapshot = read;
  let planned = plan(snapshot);
  const children = await applyChildren(kc, snapshot, planned);
  let statusWritten = false;
  for (let attempt = 1; ; attempt++) {
    try {
      statusWritten = await applyStatus(kc, snapshot, planned);
      break;
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
    // Someone wrote the object since our read: recompute the status from what is there now (one GET). A
    // new generation means a new spec, whose children this reconcile did not build: start over for it.
    const vmcp = await readVirtualMCPServer(kc, namespace, name);
    if (!vmcp) return notFound(`${namespace}/${name}`);
    if (vmcp.metadata.generation !== snapshot.vmcp.metadata.generation)
      return reconcileOne(kc, namespace, name, options);
    snapshot = { ...snapshot, vmcp };
    planned = plan(snapshot);
  }
  // A failed child is reported after the status, which says what went wrong, has been written.
  if (children.failure) throw children.failure;
  return resultOf(snapshot, planned, children.written, statusWritten);
}
