// A test double of the vMCP runtime's status reporter, writing the way upstream's K8sReporter does: GET,
// then a full status update (PUT /status) with conflict retry; it replaces discoveredBackends, sets phase,
// message, backendCount and observedGeneration, and sets or removes Ready, Degraded and BackendsDiscovered.
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError, getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { resourcePath } from "../../functions/kube/resources.ts";

export const RUNTIME_MANAGER = "vmcp";

export interface RuntimeBackend {
  readonly name: string;
  readonly status: "ready" | "degraded" | "unavailable" | "unauthenticated" | "unknown";
}

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
};

function setCondition(conditions: Condition[], next: Omit<Condition, "lastTransitionTime">, now: string) {
  const at = conditions.findIndex((c) => c.type === next.type);
  const lastTransitionTime =
    at >= 0 && conditions[at]?.status === next.status
      ? (conditions[at] as Condition).lastTransitionTime
      : now;
  if (at >= 0) conditions[at] = { ...next, lastTransitionTime };
  else conditions.push({ ...next, lastTransitionTime });
}

export async function runtimeReport(
  kc: KubeConfig,
  namespace: string,
  name: string,
  backends: readonly RuntimeBackend[],
  now = new Date(),
) {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace(".000", "");
  const healthy = backends.filter((b) => b.status === "ready" || b.status === "unauthenticated").length;
  const degraded = backends.filter((b) => b.status === "degraded").length;
  const phase =
    backends.length === 0
      ? "Ready"
      : healthy === backends.length
        ? "Ready"
        : healthy === 0
          ? "Failed"
          : "Degraded";
  for (let attempt = 0; attempt < 10; attempt++) {
    const object = (await getObject(kc, "VirtualMCPServer", namespace, name)) as {
      metadata: { generation: number; resourceVersion: string };
      status?: { conditions?: Condition[] } & Record<string, unknown>;
    };
    const status = { ...(object.status ?? {}) };
    // Like RemoveStatusCondition for a runtime condition the new report lacks (only Degraded comes and goes).
    const conditions = (status.conditions ?? []).filter((c) => c.type !== "Degraded" || degraded > 0);

    setCondition(
      conditions,
      healthy === backends.length
        ? {
            type: "Ready",
            status: "True",
            reason: "AllBackendsHealthy",
            message: `All ${backends.length} backends healthy`,
          }
        : {
            type: "Ready",
            status: "False",
            reason: healthy === 0 ? "NoHealthyBackends" : "SomeBackendsUnhealthy",
            message: `${healthy}/${backends.length} backends healthy`,
          },
      at,
    );
    setCondition(
      conditions,
      {
        type: "BackendsDiscovered",
        status: "True",
        reason: "BackendsDiscovered",
        message: `Discovered ${backends.length} backends`,
      },
      at,
    );
    if (degraded > 0)
      setCondition(
        conditions,
        {
          type: "Degraded",
          status: "True",
          reason: "BackendsDegraded",
          message: `${degraded} backends degraded`,
        },
        at,
      );
    Object.assign(status, {
      phase,
      message: `${healthy}/${backends.length} backends healthy`,
      backendCount: healthy,
      observedGeneration: object.metadata.generation,
      discoveredBackends: backends.map((b) => ({
        name: b.name,
        url: `http://${b.name}:8080`,
        status: b.status,
        lastHealthCheck: at,
        message: "Healthy",
      })),
      conditions,
    });
    const response = await rawRequest(
      kc,
      `${resourcePath("VirtualMCPServer", namespace, name, "status")}?fieldManager=${RUNTIME_MANAGER}`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...object, status }),
      },
    );
    if (response.status === 200) return;
    if (response.status !== 409)
      throw new ApiError(response.status, "", `runtime status update failed: ${response.body}`);
  }
  throw new Error("runtime status update kept conflicting");
}
