// The reconcile Lambda's handler on SQS batches, against the real API server: messages for one object
// cost one reconcile, unreadable messages are dropped without failing the rest of the batch, and a stale
// hint is returned with a backoff, then dropped quietly.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import type { ReconcileRequest } from "../../functions/core/delivery/change-hint.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileHandler } from "../../functions/reconcile/handler.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("handler");
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

function setup() {
  const retried: { handles: readonly string[]; seconds: number }[] = [];
  const logged: string[] = [];
  const logger = new Logger({ logLevel: "SILENT" });
  for (const level of ["info", "warn"] as const)
    logger[level] = ((message: string) => logged.push(message)) as never;
  const handler = reconcileHandler({
    logger,
    metrics: new Metrics({ namespace: "test" }),
    kubeConfig: async () => kubeConfig(),
    options: { image: "example/vmcp:v0.47.0" },
    staleHintReceives: 2,
    retryLater: async (handles, seconds) => {
      retried.push({ handles, seconds });
    },
  });
  return { handler, retried, logged };
}

let counter = 0;
function record(body: unknown, receiveCount = 1) {
  counter += 1;
  return {
    messageId: `m-${counter}`,
    receiptHandle: `r-${counter}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), MessageGroupId: "g" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:q.fifo",
    awsRegion: "us-east-1",
  };
}
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
    const event = {
      Records: [record(request("shop")), record("not json"), record({ name: "x" }), record(request("shop"))],
    } as SQSEvent;
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(retried).toEqual([]);
    expect(logged.filter((m) => m === "reconciled")).toHaveLength(1);
    expect(logged.filter((m) => m === "dropping a message that is not a reconcile request")).toHaveLength(2);
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
    const failed = await handler({ Records: [first] } as SQSEvent, context);
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    expect(retried).toEqual([{ handles: [first.receiptHandle], seconds: expect.any(Number) }]);

    const last = record(request("ghost", { cause }), 2);
    const dropped = await handler({ Records: [last] } as SQSEvent, context);
    expect(dropped.batchItemFailures).toEqual([]);
    expect(logged).toContain("hinted write never happened; dropping the hint");
  });
});
