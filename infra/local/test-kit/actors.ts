// Test helpers that play the other actors: a user applying manifests, ToolHive's controllers filling in
// the members' status, the Deployment controller reporting availability, and the API server's own counts.

import type { KubeConfig } from "@kubernetes/client-node";
import { type Kind, RESOURCES, resourcePath } from "../../../functions/core/kinds/resources.ts";
import { CHILD_KINDS, RELATED_KINDS } from "../../../functions/core/reconcile/related-kinds.ts";
import { applyObject, getObject } from "../../../functions/kube/api.ts";
import { rawRequest } from "../../../functions/kube/raw-request.ts";
import { eventually } from "./eventually.ts";

type Manifest = { kind: string; metadata: { name: string; namespace?: string }; [field: string]: unknown };

/** What a user's `kubectl apply --server-side` would do. */
export async function userApply(kc: KubeConfig, namespace: string, ...manifests: Manifest[]): Promise<void> {
  for (const m of manifests) {
    await applyObject(
      kc,
      { apiVersion: apiVersionOf(m.kind), ...m, metadata: { ...m.metadata, namespace } },
      { fieldManager: "test-user" },
    );
  }
}

function apiVersionOf(kind: string): string {
  return ["Deployment"].includes(kind)
    ? "apps/v1"
    : ["ConfigMap", "Service", "ServiceAccount", "Secret"].includes(kind)
      ? "v1"
      : "toolhive.stacklok.dev/v1beta1";
}

/** A merge patch on /status, as another controller (ToolHive's, or the Deployment controller) would write it. */
export async function patchStatus(
  kc: KubeConfig,
  kind: Kind,
  namespace: string,
  name: string,
  status: unknown,
  manager = "test-controller",
) {
  const response = await rawRequest(
    kc,
    `${resourcePath(kind, namespace, name, "status")}?fieldManager=${manager}`,
    {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ status }),
    },
  );
  if (response.status !== 200) throw new Error(`status patch of ${kind}/${name} failed: ${response.body}`);
}

export async function markDeploymentAvailable(
  kc: KubeConfig,
  namespace: string,
  name: string,
  available = true,
) {
  const deployment = (await getObject(kc, "Deployment", namespace, name)) as {
    metadata: { generation: number };
  };
  await patchStatus(
    kc,
    "Deployment",
    namespace,
    name,
    {
      observedGeneration: deployment.metadata.generation,
      replicas: 1,
      availableReplicas: available ? 1 : 0,
      readyReplicas: available ? 1 : 0,
      unavailableReplicas: available ? 0 : 1,
      conditions: [
        {
          type: "Available",
          status: available ? "True" : "False",
          reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          message: "test",
        },
      ],
    },
    "deployment-controller",
  );
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE"]);
/** What the functions touch: their object, its related and child kinds (the tables), and Events. */
const OUR_RESOURCES = new Set(
  (
    ["VirtualMCPServer", ...RELATED_KINDS.map((related) => related.kind), ...CHILD_KINDS, "Event"] as const
  ).map((kind) => RESOURCES[kind].plural),
);

export interface RequestCounts {
  readonly reads: number;
  readonly writes: number;
}

/** Requests for the functions' resources, from the API server's own apiserver_request_total. */
export async function requestCounts(kc: KubeConfig): Promise<RequestCounts> {
  const metrics = (await rawRequest(kc, "/metrics", { headers: { accept: "text/plain" } })).body;
  let reads = 0;
  let writes = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!OUR_RESOURCES.has(labels.resource ?? "")) continue;
    // The functions write core/v1 Events only; events.k8s.io ones are the API server's own (its cluster IP
    // repair loop warns "ClusterIPNotAllocated" when it runs while Services are being created).
    if (labels.group === "events.k8s.io") continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (WRITE_VERBS.has(labels.verb ?? "")) writes += value;
    else reads += value;
  }
  return { reads, writes };
}

/**
 * The API server counts a request just after answering it, so /metrics read right after a request can miss
 * it and charge it to the next count. Read until two reads 20 ms apart agree.
 */
async function settledCounts(kc: KubeConfig): Promise<RequestCounts> {
  let last: RequestCounts | undefined;
  return eventually(
    async () => {
      const next = await requestCounts(kc);
      const settled = last?.reads === next.reads && last.writes === next.writes;
      last = next;
      return settled && next;
    },
    { what: "the API server's request counts to settle", interval: 20 },
  );
}

/** The requests `work` caused (nothing else may run against the API server meanwhile). */
export async function countRequests(kc: KubeConfig, work: () => Promise<unknown>): Promise<RequestCounts> {
  const before = await settledCounts(kc);
  await work();
  const after = await settledCounts(kc);
  return { reads: after.reads - before.reads, writes: after.writes - before.writes };
}
