// The queue's failure paths on the deployed stack: a hint for a write that never happened is retried a
// little and dropped quietly; a request that can never succeed lands in the dead-letter queue after the
// configured receives, with backoff between them, not a storm.
import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, inject, it } from "vitest";
import { HINT_DETAIL_TYPE, HINT_SOURCE } from "../../functions/admission/event-bus.ts";
import type { ChangeHint } from "../../functions/core/delivery/change-hint.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { kubectl, useNamespace } from "../integration/cluster.ts";
import { aws, functionLogs } from "./stack.ts";

const namespace = useNamespace("faults");
const forKey = (name: string) => (line: Record<string, unknown>) =>
  line.namespace === namespace.name && line.name === name;

describe("queue failure paths", () => {
  it("drops a hint whose write never happened after a bounded number of quiet retries", async () => {
    const hint: ChangeHint = {
      kind: "VirtualMCPServer",
      namespace: namespace.name,
      name: "ghost",
      uid: randomUUID(),
      operation: "CREATE",
      groups: [],
    };
    const put = await new EventBridgeClient(aws()).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: inject("stackOutputs").HintBusName,
            Source: HINT_SOURCE,
            DetailType: HINT_DETAIL_TYPE,
            Detail: JSON.stringify(hint),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount ?? 0).toBe(0);
    const ghost = forKey("ghost");
    const lines = await eventually(
      async () => {
        const all = (await functionLogs("reconcile")).filter(ghost);
        return all.some((l) => l.message === "hinted write never happened; dropping the hint")
          ? all
          : undefined;
      },
      { what: "the hint dropped", timeout: 60_000, interval: 500 },
    );
    const messages = lines.map((l) => l.message);
    // staleHintReceives is 2 on the local stage: one retry, then the drop; never an error.
    expect(messages).toEqual([
      "snapshot predates the hinted write; retrying",
      "hinted write never happened; dropping the hint",
    ]);
    expect(lines.filter((l) => l.level === "ERROR" || l.level === "WARN")).toEqual([]);
  });

  it("sends a request that can never succeed to the dead-letter queue after maxReceives, with backoff", async () => {
    // The API server refuses this Deployment (an invalid quantity), whatever the function does.
    const applied = kubectl(
      ["apply", "-n", namespace.name, "-f", "-"],
      `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPGroup
metadata: { name: poison-tools }
spec: {}
---
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: poison }
spec:
  groupRef: { name: poison-tools }
  incomingAuth: { type: anonymous }
  podTemplateSpec:
    spec:
      containers: [{ name: vmcp, resources: { limits: { cpu: lots } } }]
`,
    );
    expect(applied.status, applied.stderr).toBe(0);
    const sqs = new SQSClient(aws());
    const dead = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: inject("stackOutputs").ReconcileDeadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        return Messages.find((m) => JSON.parse(m.Body ?? "{}").name === "poison");
      },
      { what: "the request in the dead-letter queue", timeout: 90_000, interval: 500 },
    );
    expect(JSON.parse(dead.Body ?? "{}")).toMatchObject({ namespace: namespace.name, trigger: "hint" });
    // maxReceives is 3 on the local stage: three attempts. The first may find the object not yet written
    // (the hint is sent during admission) and retry as stale; the others fail. The emulator ships a
    // function's log after its invocation, which may be after the move to the DLQ, so lines may lag a little.
    const attempt = (l: Record<string, unknown>) =>
      (l.message === "reconcile failed; retrying later" && l.key === `${namespace.name}/poison`) ||
      (l.message === "snapshot predates the hinted write; retrying" && forKey("poison")(l));
    const failures = await eventually(
      async () => {
        const found = (await functionLogs("reconcile")).filter(attempt);
        return found.length >= 3 ? found : undefined;
      },
      { what: "three attempts in the log", timeout: 15_000, interval: 500 },
    );
    expect(
      failures.filter((l) => l.message === "reconcile failed; retrying later").length,
    ).toBeGreaterThanOrEqual(2);
    // A scheduled resync in between may add its own request.
    expect(failures.length).toBeLessThanOrEqual(6);
    const times = failures.map((l) => Date.parse(String(l.timestamp)));
    for (let i = 1; i < 3; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(900);
  }, 120_000);
});
