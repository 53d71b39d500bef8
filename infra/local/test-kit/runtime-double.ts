// A test double of the vMCP runtime's status reporter, for the high-frequency fault and conflict tests the
// real runtime cannot serve. It writes the way upstream's K8sReporter does: GET, then a full status update
// (PUT /status, manager "vmcp") with conflict retry, setting phase, message, backendCount,
// discoveredBackends and the Ready, Degraded and BackendsDiscovered conditions: at the top level (with
// observedGeneration) for v0.44, in status.runtime for v0.47 on. test/runtime/dynamic-mode.test.ts checks
// its writes against the real runtime's, field by field and word by word.
import type { KubeConfig } from "@kubernetes/client-node";
import { resourcePath } from "../../../functions/core/kinds/resources.ts";
import type { StatusShape } from "../../../functions/core/runtime/versions.ts";
import { ApiError, getObject } from "../../../functions/kube/api.ts";
import { rawRequest } from "../../../functions/kube/raw-request.ts";

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
  shape: StatusShape = "top-level",
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
      status?: { conditions?: Condition[]; runtime?: { conditions?: Condition[] } } & Record<string, unknown>;
    };
    const status = { ...(object.status ?? {}) };
    const reported = shape === "top-level" ? status : { ...(status.runtime ?? {}) };
    // Like RemoveStatusCondition for a runtime condition the new report lacks (only Degraded comes and goes).
    const conditions = ((reported.conditions as Condition[] | undefined) ?? []).filter(
      (c) => c.type !== "Degraded" || degraded > 0,
    );
    setCondition(
      conditions,
      healthy === backends.length
        ? {
            type: "Ready",
            status: "True",
            reason: "AllBackendsRoutable",
            message: `All ${backends.length} backend${backends.length === 1 ? "" : "s"} are healthy`,
          }
        : {
            type: "Ready",
            status: "False",
            reason: healthy === 0 ? "NoRoutableBackends" : "SomeBackendsUnhealthy",
            message:
              healthy === 0
                ? "No routable backends available"
                : `${healthy}/${backends.length} backends routable`,
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
    Object.assign(reported, {
      phase,
      message:
        healthy === backends.length
          ? `All ${backends.length} backend${backends.length === 1 ? "" : "s"} healthy`
          : `${healthy}/${backends.length} backends routable`,
      backendCount: healthy,
      discoveredBackends: backends.map((b) => ({
        name: b.name,
        url: `http://${b.name}:8080`,
        status: b.status,
        circuitBreakerState: "closed",
        lastHealthCheck: at,
        mcpRevision: "2025-11-25",
        message: b.status === "ready" ? "Healthy" : "Unhealthy",
      })),
      conditions,
    });
    if (shape === "top-level") status.observedGeneration = object.metadata.generation;
    else status.runtime = reported;
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
