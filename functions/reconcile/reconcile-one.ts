// Reconcile one VirtualMCPServer: read its snapshot, plan, apply. Used by the Lambda handler and the CLI.
import type { KubeConfig } from "@kubernetes/client-node";
import { type ChangeHint, predatesHint } from "../core/change-hint.ts";
import { DEFAULT_VMCP_IMAGE } from "../core/desired-children.ts";
import { planReconcile } from "../core/reconcile-plan.ts";
import { type Mode, modeOf } from "../core/toolhive.ts";
import { readSnapshot } from "../kube/snapshot.ts";
import { applyPlan, type ReconcileResult } from "./apply-plan.ts";

export interface ReconcileOptions {
  /** The vMCP image; the functions' VMCP_IMAGE setting. */
  readonly image?: string;
  readonly now?: () => Date;
  /** The hinted writes that asked for this reconcile; if the snapshot predates one, nothing is done. */
  readonly causes?: readonly ChangeHint[];
}

export const settingsFrom = (env: NodeJS.ProcessEnv): ReconcileOptions => ({
  image: env.VMCP_IMAGE || DEFAULT_VMCP_IMAGE,
});

const nothingDone = (key: string, mode: Mode | null, outcome: "notFound" | "stale"): ReconcileResult => ({
  key,
  mode,
  written: [],
  statusWritten: false,
  outcome,
});

export async function reconcileOne(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const key = `${namespace}/${name}`;
  const snapshot = await readSnapshot(kc, namespace, name);
  if (options.causes?.some((cause) => predatesHint(snapshot, cause)))
    return nothingDone(key, snapshot ? modeOf(snapshot.vmcp) : null, "stale");
  if (!snapshot) return nothingDone(key, null, "notFound");
  const plan = planReconcile(snapshot, {
    image: options.image ?? DEFAULT_VMCP_IMAGE,
    now: (options.now?.() ?? new Date()).toISOString(),
  });
  return applyPlan(kc, snapshot, plan);
}
