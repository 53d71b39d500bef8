// How far the vMCP Deployment has come, from its status as the Deployment controller writes it. The
// messages depend only on facts that stay put until the controller acts, so a reconcile right after the
// functions' own write reads the same as the one that made it (no second status write).
import type { DeploymentStatus } from "../kinds/kubernetes.ts";

export type DeploymentState =
  | { state: "missing" }
  | { state: "progressing"; message: string }
  | { state: "available"; message: string }
  | { state: "failed"; message: string };

const NO_REPLICA = "no replica is available yet";
const ROLLING_OUT = "rolling out a new configuration";

/** `changing`: the functions are creating the Deployment, or changing its spec (a new generation), now. */
export function deploymentState(
  live: { metadata: { generation?: number }; status?: unknown } | undefined,
  changing: boolean,
): DeploymentState {
  if (!live) return changing ? { state: "progressing", message: NO_REPLICA } : { state: "missing" };
  const status = (live.status ?? {}) as DeploymentStatus;
  // Never observed by a Deployment controller (none runs, or it has not got to it yet).
  if (status.observedGeneration === undefined) return { state: "progressing", message: NO_REPLICA };
  if (changing || status.observedGeneration < (live.metadata.generation ?? 0)) {
    return { state: "progressing", message: ROLLING_OUT };
  }
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  const failure = condition("ReplicaFailure");
  if (failure?.status === "True")
    return { state: "failed", message: failure.message ?? "a replica failed to be created" };
  const progressing = condition("Progressing");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return { state: "failed", message: progressing.message ?? "progress deadline exceeded" };
  }
  if ((status.availableReplicas ?? 0) > 0 || condition("Available")?.status === "True") {
    return { state: "available", message: `${status.availableReplicas ?? 1} replica(s) available` };
  }
  return { state: "progressing", message: "waiting for a replica to become available" };
}
