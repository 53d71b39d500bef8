// Hint storms on the deployed stack: a thousand hints for one VirtualMCPServer within a second are a few
// reconciles (one per hint window), and a burst of new VirtualMCPServers all converge through the queue.
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { EventBridgeEvent } from "aws-lambda";
import { describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import type { ChangeHint } from "../../functions/core/delivery/change-hint.ts";
import { windowOf } from "../../functions/core/delivery/hint-window.ts";
import { getObject, listObjects } from "../../functions/kube/api.ts";
import { enqueue } from "../../functions/lambda/reconcile-queue.ts";
import { routerHandler } from "../../functions/reconcile/hint-router.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { inParallel } from "../../infra/local/test-kit/in-parallel.ts";
import { silentObservability } from "../../infra/local/test-kit/lambda.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectl, useNamespace } from "../integration/cluster.ts";
import { soakOr } from "../soak.ts";
import { aws, functionLogs } from "./stack.ts";

const namespace = useNamespace("storm");
/** How many VirtualMCPServers the burst creates. */
const BURST = soakOr(50, 500);

const group = (name: string) => mcpGroup(name, { namespace: namespace.name });
const vmcp = (name: string, groupName: string) =>
  virtualMCPServer(name, {
    namespace: namespace.name,
    group: groupName,
    spec: { outgoingAuth: { source: "inline" } },
  });

const apply = (...objects: object[]) => {
  const applied = kubectl(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  expect(applied.status, applied.stderr).toBe(0);
};

const observed = async (name: string) => {
  const object = (await getObject(kubeConfig(), "VirtualMCPServer", namespace.name, name)) as
    | { status?: { observedGeneration?: number } }
    | undefined;
  return object?.status?.observedGeneration === 1;
};

const logLines = async (fn: string, message: string, name: string) =>
  (await functionLogs(fn)).filter(
    (l) => l.message === message && l.namespace === namespace.name && l.name === name,
  );

/** Waits until the reconcile queue holds nothing, visible or in flight. */
async function queueDrained(): Promise<void> {
  const sqs = new SQSClient(aws());
  await eventually(
    async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: inject("stackOutputs").ReconcileQueueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const left =
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible);
      return left === 0;
    },
    { what: "the reconcile queue drained", timeout: 120_000, interval: 500 },
  );
}

describe("hint storms", () => {
  it("turns 1,000 hints for one object within a second into one reconcile per hint window", async () => {
    apply(group("storm-tools"), vmcp("storm", "storm-tools"));
    await eventually(() => observed("storm"), {
      what: "the first reconcile",
      timeout: 60_000,
    });
    await queueDrained();
    const before = (await logLines("reconcile", "reconciled", "storm")).length;
    const uid = (
      (await getObject(kubeConfig(), "VirtualMCPServer", namespace.name, "storm")) as {
        metadata: { uid: string };
      }
    ).metadata.uid;

    // A thousand distinct writes, as admission would announce them, spread over one second. They go
    // through the router's own code, in this process: the emulator's bus hands events to a Lambda one at
    // a time (about 200 ms each), so it could not carry a thousand in a second.
    const start = Date.now();
    const hints: ChangeHint[] = Array.from({ length: 1_000 }, (_, i) => ({
      kind: "VirtualMCPServer",
      namespace: namespace.name,
      name: "storm",
      uid,
      operation: "UPDATE",
      oldResourceVersion: `storm-${i}`,
      groups: [],
      at: start + i,
    }));
    const sqs = new SQSClient(aws());
    const route = routerHandler({
      ...silentObservability(),
      kubeConfig: async () => kubeConfig(),
      send: (requests) => enqueue(sqs, inject("stackOutputs").ReconcileQueueUrl, requests),
    });
    // Fifty at a time, as many requests as one SDK client sends at once (it opens at most 50 sockets): a
    // thousand connections at once are more than a loaded machine's emulator accepts.
    const routed = await inParallel(
      hints.map((hint, i) => ({ id: `storm-${i}`, detail: hint }) as EventBridgeEvent<string, unknown>),
      route,
      50,
    );
    expect(routed.reduce((n, r) => n + r.queued, 0)).toBe(1_000);
    console.log(`[aws] 1,000 hints routed in ${Date.now() - start} ms`);

    await queueDrained();
    const reconciles = (await logLines("reconcile", "reconciled", "storm")).length - before;
    const windows = new Set(hints.map((hint) => windowOf(hint.at ?? 0))).size;
    console.log(`[aws] hint storm: 1,000 hints → ${reconciles} reconciles (${windows} windows)`);
    expect(reconciles).toBeGreaterThanOrEqual(1);
    expect(reconciles).toBeLessThanOrEqual(windows);
    // Nothing else came of it: the object is as it was, with no error logged.
    expect(await observed("storm")).toBe(true);
    const troubles = (await functionLogs("reconcile")).filter(
      (l) => (l.level === "WARN" || l.level === "ERROR") && l.namespace === namespace.name,
    );
    expect(troubles).toEqual([]);
  }, 300_000);

  it(
    `converges a burst of ${BURST} new VirtualMCPServers with no duplicate children`,
    async () => {
      const names = Array.from({ length: BURST }, (_, i) => `burst-${String(i).padStart(3, "0")}`);
      const started = Date.now();
      apply(group("burst-tools"));
      // In chunks, each within kubectl's time: every object passes the admission function on the emulator.
      for (let at = 0; at < BURST; at += 50)
        apply(...names.slice(at, at + 50).map((name) => vmcp(name, "burst-tools")));
      const kc = kubeConfig();
      await eventually(
        async () => {
          const items = (await listObjects(kc, "VirtualMCPServer", { namespace: namespace.name })) as {
            metadata: { name: string };
            status?: { observedGeneration?: number };
          }[];
          const done = items.filter(
            (i) => i.metadata.name.startsWith("burst-") && i.status?.observedGeneration === 1,
          );
          return done.length === BURST;
        },
        { what: `all ${BURST} observed`, timeout: BURST * 2_000, interval: 1_000 },
      );
      console.log(`[aws] burst of ${BURST} VirtualMCPServers converged in ${Date.now() - started} ms`);
      const namesOf = async (kind: "Deployment" | "Service") =>
        (
          (await listObjects(kc, kind, { namespace: namespace.name })) as { metadata: { name: string } }[]
        ).map((o) => o.metadata.name);
      const [deployments, services] = [await namesOf("Deployment"), await namesOf("Service")];
      expect(deployments.filter((n) => n.startsWith("burst-")).sort()).toEqual(names);
      expect(services.filter((n) => n.startsWith("vmcp-burst-")).sort()).toEqual(
        names.map((n) => `vmcp-${n}`),
      );
      // Every one reconciled through its own hint; an emulator redelivery may add a second, never a child.
      const reconciled = (await functionLogs("reconcile")).filter(
        (l) =>
          l.message === "reconciled" && l.namespace === namespace.name && String(l.name).startsWith("burst-"),
      );
      console.log(`[aws] burst: ${reconciled.length} reconciles for ${BURST} objects`);
      expect([...new Set(reconciled.map((l) => String(l.name)))].sort()).toEqual(names);
      expect(reconciled.length).toBeLessThanOrEqual(Math.ceil(BURST * 1.25));
    },
    120_000 + BURST * 2_000,
  );
});
