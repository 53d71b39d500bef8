// The API server (and, in the soak, etcd) killed in the middle of a resync of 200 VirtualMCPServers and
// started again: the resync queues what failed, the queue's retry reconciles it, and the cluster ends
// exactly as a fault-free run leaves it: the same children and status as a reference namespace reconciled
// without faults, no duplicates, and a fault-free resync afterwards writes nothing. On a control plane of
// its own.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileRequest } from "../../functions/core/delivery/change-hint.ts";
import { listObjects } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { resyncHandler } from "../../functions/resync/handler.ts";
import { resyncAll } from "../../functions/resync/resync-all.ts";
import { binaryPaths } from "../../infra/local/control-plane/binaries.ts";
import { down, up } from "../../infra/local/control-plane/plane.ts";
import { patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { lambdaContext, silentObservability } from "../../infra/local/test-kit/lambda.ts";
import { mcpGroup, mcpServer, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { soakOr } from "../soak.ts";
import { namespaceState } from "./namespace-state.ts";
import { outage, type Server } from "./plane-outage.ts";

/** The soak keeps the server down past the resync's whole budget, and stops etcd too. */
const DOWN_MS = soakOr(6_000, 45_000);
const SERVERS = soakOr<Server[]>(["kube-apiserver"], ["kube-apiserver", "etcd"]);
const NAMESPACES = 20;
const PER_NAMESPACE = 10;
const options = { image: "example/vmcp:v0.47.0", now: () => new Date("2026-11-24T00:00:00Z") };
let dir = "";
const kc = new KubeConfig();

async function populate(ns: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  await userApply(kc, ns, mcpGroup("g"), mcpServer("backend", { group: "g" }));
  await patchStatus(kc, "MCPServer", ns, "backend", { phase: "Running", url: "http://backend:8080/mcp" });
  for (let i = 0; i < PER_NAMESPACE; i++)
    await userApply(
      kc,
      ns,
      virtualMCPServer(`vmcp-${i}`, {
        group: "g",
        spec: { outgoingAuth: { source: i % 2 ? "inline" : "discovered" } },
      }),
    );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-outage-"));
  const plane = await up({ dir, ownerPid: process.pid, binaries: binaryPaths() });
  kc.loadFromFile(plane.kubeconfig);
  await populate("calm");
  // The fault-free reference.
  expect(await resyncAll(kc, { ...options, namespace: "calm" })).toMatchObject({ written: PER_NAMESPACE });
}, 180_000);

afterAll(async () => {
  if (dir) await down({ dir });
});

describe.each(SERVERS)("%s killed in the middle of a resync", (server) => {
  it(`converges all ${NAMESPACES * PER_NAMESPACE} objects to the fault-free state, with no duplicates`, async () => {
    const namespaces = Array.from({ length: NAMESPACES }, (_, n) => `${server}-${n}`);
    await Promise.all(namespaces.map(populate));
    const probe = new KubeConfig();
    probe.loadFromFile(join(dir, "kubeconfig"));
    const deploymentCount = async () => (await listObjects(probe, "Deployment", {}).catch(() => [])).length;
    const before = await deploymentCount();

    // The resync Lambda's handler, with a Lambda's time budget; what it queues is collected here.
    const queued: ReconcileRequest[] = [];
    const deadline = Date.now() + 60_000;
    const handler = resyncHandler({
      ...silentObservability(),
      kubeConfig: async () => kc,
      options,
      send: async (requests) => {
        queued.push(...requests);
      },
    });
    let finished = false;
    const resync = handler(
      {},
      lambdaContext(() => deadline - Date.now()),
    ).finally(() => {
      finished = true;
    });
    // Kill the server once a third of the objects have their Deployment.
    await eventually(async () => (await deploymentCount()) >= before + (NAMESPACES * PER_NAMESPACE) / 3, {
      what: "a third of the Deployments written",
      timeout: 60_000,
      interval: 50,
    });
    expect(finished).toBe(false);
    await outage(dir, server, DOWN_MS);
    const summary = await resync;
    console.log(`[outage] ${server} down ${DOWN_MS} ms: ${JSON.stringify(summary)}`);
    expect(queued).toHaveLength(summary.queued);
    // A dead API server refuses connections: some objects fail and are queued. With etcd stopped the API
    // server holds requests until it is back, or times them out, so there may be nothing to queue.
    if (server === "kube-apiserver") expect(summary.queued).toBeGreaterThan(0);

    // The queue's retry: each queued object reconciled on its own once the server is back.
    for (const request of queued) {
      const result = await reconcileOne(kc, request.namespace, request.name, options);
      expect(result.outcome, `${request.namespace}/${request.name}`).not.toBe("failed");
    }

    // Converged: a fault-free resync finds nothing to do anywhere.
    expect(await resyncAll(kc, options)).toMatchObject({ written: 0, failed: 0, deferred: [] });
    // And every namespace holds exactly what the fault-free one does, children and status alike.
    const expected = await namespaceState(kc, "calm");
    expect(Object.keys(expected.Deployment as object)).toHaveLength(PER_NAMESPACE);
    for (const ns of namespaces) expect(await namespaceState(kc, ns), ns).toEqual(expected);
  }, 600_000);
});
