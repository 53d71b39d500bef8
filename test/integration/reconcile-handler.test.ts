// The reconcile Lambda's handler on SQS batches, against the real API server: messages for one object
// cost one reconcile, unreadable messages are dropped without failing the rest of the batch, and a stale
// hint is returned with a backoff, then dropped quietly.
import { describe, expect, it } from "vitest";
import type { ReconcileRequest } from "../../functions/core/delivery/change-hint.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileHandler } from "../../functions/reconcile/handler.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import {
  lambdaContext,
  recordingLogger,
  recordingMetrics,
  sqsEvent,
  sqsRecord,
} from "../../infra/local/test-kit/lambda.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("handler");
const context = lambdaContext();

function setup() {
  const retried: { handles: readonly string[]; seconds: number }[] = [];
  const { logger, lines } = recordingLogger();
  const handler = reconcileHandler({
    logger,
    metrics: recordingMetrics().metrics,
    kubeConfig: async () => kubeConfig(),
    options: { image: "example/vmcp:v0.47.0" },
    staleHintReceives: 2,
    retryLater: async (handles, seconds) => {
      retried.push({ handles, seconds });
    },
  });
  // What it logged at info and above, in order.
  const logged = () => lines.filter((l) => l.level !== "debug").map((l) => l.message);
  return { handler, retried, logged };
}

const record = (body: unknown, receiveCount = 1) => sqsRecord(body, { receiveCount, groupId: "g" });
const request = (name: string, extra: Partial<ReconcileRequest> = {}): ReconcileRequest => ({
  namespace: namespace.name,
  name,
  trigger: "hint",
  ...extra,
});

describe("the reconcile handler", () => {
  it("reconciles an object once for all its messages and drops unreadable ones without failing the batch", async () => {
    await userApply(
      kubeConfig(),
      namespace.name,
      mcpGroup("tools"),
      virtualMCPServer("shop", { group: "tools" }),
    );
    const { handler, retried, logged } = setup();
    const event = sqsEvent([
      record(request("shop")),
      record("not json"),
      record({ name: "x" }),
      record(request("shop")),
    ]);
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(retried).toEqual([]);
    expect(logged().filter((m) => m === "reconciled")).toHaveLength(1);
    expect(logged().filter((m) => m === "dropping a message that is not a reconcile request")).toHaveLength(
      2,
    );
    expect(await getObject(kubeConfig(), "Deployment", namespace.name, "shop")).toBeDefined();
  });

  it("returns a stale hint with a backoff, then drops it quietly after staleHintReceives", async () => {
    const cause = {
      kind: "VirtualMCPServer" as const,
      namespace: namespace.name,
      name: "ghost",
      uid: "never-created",
      operation: "CREATE" as const,
      groups: [],
    };
    const { handler, retried, logged } = setup();
    const first = record(request("ghost", { cause }), 1);
    const failed = await handler(sqsEvent([first]), context);
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    expect(retried).toEqual([{ handles: [first.receiptHandle], seconds: expect.any(Number) }]);

    const last = record(request("ghost", { cause }), 2);
    const dropped = await handler(sqsEvent([last]), context);
    expect(dropped.batchItemFailures).toEqual([]);
    expect(logged()).toContain("hinted write never happened; dropping the hint");
  });
});
