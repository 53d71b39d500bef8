// One VirtualMCPServer through the reconcile's plan, judged by the real runtime: either the plan writes a
// config.yaml that `vmcp validate` of the targeted version accepts, or it refuses the spec (Valid=False, or
// AuthConfigured=False for an auth config it names) naming the field and writes no child. Anything else is
// a reject the gate reports.

import { findCondition } from "../../functions/core/kinds/conditions.ts";
import type { Condition } from "../../functions/core/kinds/kubernetes.ts";
import { planReconcile, type Snapshot } from "../../functions/core/reconcile/plan.ts";
import { runtimeProfile, VMCP_IMAGE_REPOSITORY } from "../../functions/core/runtime/versions.ts";
import { containerEnvNames, validateConfig } from "./vmcp-validate.ts";

export type Judgement =
  /** With the config.yaml accepted, for what a test asserts beyond the runtime's verdict. */
  | { readonly kind: "accepted"; readonly config: string }
  | { readonly kind: "refused"; readonly message: string }
  | { readonly kind: "rejected"; readonly reason: string; readonly config?: string };

const NOW = "2026-12-02T10:00:00.000Z";

export async function judge(version: string, snapshot: Snapshot): Promise<Judgement> {
  const image = `${VMCP_IMAGE_REPOSITORY}:${version}`;
  const plan = planReconcile(snapshot, { image, runtime: runtimeProfile(image), now: NOW });
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as
    | { data: Record<string, string> }
    | undefined;
  const deployment = plan.apply.find((c) => c.kind === "Deployment");
  if (configMap && deployment) {
    const config = configMap.data["config.yaml"] ?? "";
    const verdict = await validateConfig(version, config, containerEnvNames(deployment));
    return verdict.accepted
      ? { kind: "accepted", config }
      : { kind: "rejected", reason: `vmcp validate: ${verdict.output.trim()}`, config };
  }
  const conditions = (plan.status?.conditions ?? []) as Condition[];
  // Refused: the spec itself (Valid), or an auth config it names that gives no backend strategy.
  const refusal = ["Valid", "AuthConfigured"]
    .map((type) => findCondition(conditions, type))
    .find((c) => c?.status === "False");
  if (refusal && plan.apply.length === 0) return { kind: "refused", message: refusal.message ?? "" };
  return {
    kind: "rejected",
    reason: `no config and no Valid=False: ${JSON.stringify(conditions.filter((c) => c.status !== "True"))}`,
  };
}
