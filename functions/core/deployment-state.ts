// How far the vMCP Deployment has come, from its status as the Deployment controller writes it.
import type { DeploymentStatus } from "./kubernetes.ts";

export type DeploymentState =
  | { state: "missing" }
  | { state: "progressing"; message: string }
  | { state: "available"; message: string }
  | { state: "failed"; message: string };

const NO_REPLICA = "no replica is available yet";

/** `created`: the Deployment is missing but being applied now, so it reads as one that has not started. */
export function deploymentState(
  live: { metadata: { generation?: number }; status?: unknown } | undefined,
  created: boolean,
): DeploymentState {
  if (!live) return created ? { state: "progressing", message: NO_REPLICA } : { state: "missing" };

  const status = (live.status ?? {}) as DeploymentStatus;
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  const progressing = condition("Progressing");
  const failure = condition("ReplicaFailure");
  if (failure?.status === "True")
    return { state: "failed", message: failure.message ?? "a replica failed to be created" };
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return { state: "failed", message: progressing.message ?? "progress deadline exceeded" };
  }
  const available = (status.availableReplicas ?? 0) > 0 || condition("Available")?.status === "True";
  const current = (status.observedGeneration ?? 0) >= (live.metadata.generation ?? 0);
  if (available && current)
    return { state: "available", message: `${status.availableReplicas ?? 1} replica(s) available` };
  return {
    state: "progressing",
    message: status.conditions ? "waiting for a replica to become available" : NO_REPLICA,
  };
}
