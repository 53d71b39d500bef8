// Reconcile one VirtualMCPServer: read its snapshot, plan, apply. Used by the Lambda handler and the CLI.
import type { KubeConfig } from "@kubernetes/client-node";
import { DEFAULT_VMCP_IMAGE } from "../core/desired-children.ts";
import { planReconcile } from "../core/reconcile-plan.ts";
import { readSnapshot } from "../kube/snapshot.ts";
import { applyPlan, type ReconcileResult } from "./apply-plan.ts";

export interface ReconcileOptions {
  /** The vMCP image; the functions' VMCP_IMAGE setting. */
  readonly image?: string;
  readonly now?: () => Date;
}

export const settingsFrom = (env: NodeJS.ProcessEnv): ReconcileOptions => ({
  image: env.VMCP_IMAGE || DEFAULT_VMCP_IMAGE,
});

export async function reconcileOne(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const snapshot = await readSnapshot(kc, namespace, name);
  if (!snapshot)
    return {
      key: `${namespace}/${name}`,
      mode: null,
      written: [],
      statusWritten: false,
      outcome: "notFound",
    };
  const plan = planReconcile(snapshot, {
    image: options.image ?? DEFAULT_VMCP_IMAGE,
    now: (options.now?.() ?? new Date()).toISOString(),
  });
  return applyPlan(kc, snapshot, plan);
}
