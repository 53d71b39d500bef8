// Reading one SQS batch: each body parsed into a reconcile request, messages for one VirtualMCPServer
// collapsed into one piece of work, the stale-read gate, and the jittered backoff of a failed key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChangeHint, ReconcileRequest } from "../../../functions/core/delivery/change-hint.ts";
import { WRITE_SETTLE_MS } from "../../../functions/core/delivery/hint-window.ts";
import {
  judgeRead,
  type KeyWork,
  type QueuedMessage,
  readMessage,
  retryDelaySeconds,
  workByKey,
} from "../../../functions/core/delivery/queue-batch.ts";
import type { Snapshot } from "../../../functions/core/reconcile/plan.ts";

const cause = (fields: Partial<ChangeHint> = {}): ChangeHint => ({
  kind: "MCPServer",
  namespace: "tools",
  name: "github",
  uid: "3b7e",
  operation: "UPDATE",
  oldResourceVersion: "812",
  groups: ["team-group"],
  ...fields,
});

let counter = 0;
const message = (body: unknown, receiveCount = 1): QueuedMessage => {
  counter += 1;
  return {
    messageId: `m-${counter}`,
    receiptHandle: `receipt-${counter}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    receiveCount,
  };
};

describe("readMessage", () => {
  it("says the body is not JSON when it does not parse", () => {
    const read = readMessage("{namespace: tools");
    expect(read.ok).toBe(false);
    expect(read.ok ? "" : read.reason).toMatch(/JSON/);
  });

  it("names the field path that fails the schema", () => {
    const missing = readMessage(JSON.stringify({ namespace: "tools", trigger: "hint" }));
    expect(missing.ok).toBe(false);
    expect(missing.ok ? "" : missing.reason).toMatch(/^name: /);

    const nested = readMessage(
      JSON.stringify({
        namespace: "tools",
        name: "team",
        trigger: "hint",
        cause: { ...cause(), kind: "Pod" },
      }),
    );
    expect(nested.ok ? "" : nested.reason).toMatch(/^cause\.kind: /);

    const notAnObject = readMessage("42");
    expect(notAnObject.ok ? "" : notAnObject.reason).toMatch(/^\(root\): /);
  });

  it("returns the request of a valid body, with the cause's groups defaulted", () => {
    const { groups: _groups, ...withoutGroups } = cause({ kind: "MCPGroup", name: "team-group" });
    const read = readMessage(
      JSON.stringify({ namespace: "tools", name: "team", trigger: "hint", cause: withoutGroups }),
    );
    expect(read).toEqual({
      ok: true,
      request: {
        namespace: "tools",
        name: "team",
        trigger: "hint",
        cause: { ...withoutGroups, groups: [] },
      },
    });
  });
});

describe("workByKey", () => {
  const hinted = (name: string, fields: Partial<ChangeHint> = {}): ReconcileRequest => ({
    namespace: "tools",
    name,
    trigger: "hint",
    cause: cause(fields),
  });

  it("collapses two messages for one VirtualMCPServer with both causes, triggers and receipts", () => {
    const first = message(hinted("team", { uid: "a", oldResourceVersion: "1" }), 3);
    const second = message(hinted("team", { kind: "MCPGroup", name: "team-group", uid: "b" }), 1);
    const resync = message({ namespace: "tools", name: "team", trigger: "resync" }, 2);
    const work = workByKey([first, second, resync]);
    expect([...work.keys()]).toEqual(["tools/team"]);
    expect(work.get("tools/team")).toEqual({
      namespace: "tools",
      name: "team",
      triggers: ["hint", "hint", "resync"],
      causes: [
        cause({ uid: "a", oldResourceVersion: "1" }),
        cause({ kind: "MCPGroup", name: "team-group", uid: "b" }),
      ],
      receiveCount: 3,
      messageIds: [first.messageId, second.messageId, resync.messageId],
      receiptHandles: [first.receiptHandle, second.receiptHandle, resync.receiptHandle],
    });
  });

  it("skips messages that cannot be read", () => {
    const good = message(hinted("team"), 2);
    const work = workByKey([
      message("not json", 9),
      message({ namespace: "tools", name: "team", trigger: "someday" }, 9),
      good,
    ]);
    expect(work.size).toBe(1);
    expect(work.get("tools/team")?.receiptHandles).toEqual([good.receiptHandle]);
    expect(work.get("tools/team")?.receiveCount).toBe(2);
    expect(workByKey([message("")]).size).toBe(0);
  });

  it("keeps different VirtualMCPServers and namespaces apart", () => {
    const work = workByKey([
      message(hinted("team"), 1),
      message(hinted("ops"), 4),
      message({ ...hinted("team"), namespace: "staging" }, 2),
    ]);
    expect([...work.keys()].sort()).toEqual(["staging/team", "tools/ops", "tools/team"]);
    expect(work.get("tools/ops")?.receiveCount).toBe(4);
    expect(work.get("tools/team")?.receiveCount).toBe(1);
    expect(work.get("staging/team")?.causes).toHaveLength(1);
  });
});

describe("judgeRead, the stale-read gate", () => {
  const updated = cause({ kind: "VirtualMCPServer", name: "team", oldResourceVersion: "41" });
  const work = (receiveCount: number, causes: ChangeHint[] = [updated]): KeyWork => ({
    namespace: "tools",
    name: "team",
    triggers: causes.map(() => "hint" as const),
    causes,
    receiveCount,
    messageIds: ["m"],
    receiptHandles: ["r"],
  });
  const read = (resourceVersion: string) =>
    ({
      vmcp: { metadata: { name: "team", namespace: "tools", resourceVersion }, spec: {} },
      group: undefined,
      workloads: [],
      authConfigs: [],
      children: [],
    }) as unknown as Snapshot;
  const LIMIT = 3;

  it("lets a read that shows every hinted write reconcile, as it does work without hints", () => {
    expect(judgeRead(work(1), read("42"), 1, LIMIT)).toEqual({ action: "reconcile" });
    expect(judgeRead(work(1, []), read("41"), 1, LIMIT)).toEqual({ action: "reconcile" });
    // A read that finds nothing reconciles too (the object is gone) unless the hint announced its creation.
    expect(judgeRead(work(1), undefined, 1, LIMIT)).toEqual({ action: "reconcile" });
    const created = cause({ kind: "VirtualMCPServer", name: "team", operation: "CREATE" });
    expect(judgeRead(work(1, [created]), undefined, 1, LIMIT).action).toBe("readAgain");
  });

  it("on the first receive, reads a stale snapshot once more after the settle time", () => {
    expect(judgeRead(work(1), read("41"), 1, LIMIT)).toEqual({ action: "readAgain", ms: WRITE_SETTLE_MS });
  });

  it("returns still-stale work to the queue with the backoff of its receive count", () => {
    expect(judgeRead(work(1), read("41"), 2, LIMIT, () => 0)).toEqual({
      action: "retryLater",
      seconds: retryDelaySeconds(1, () => 0),
    });
    // Later receives were already paced by the queue: no second read in the invocation.
    expect(judgeRead(work(2), read("41"), 1, LIMIT, () => 1)).toEqual({
      action: "retryLater",
      seconds: retryDelaySeconds(2, () => 1),
    });
  });

  it("drops the work once the write has stayed invisible for staleHintReceives receives", () => {
    expect(judgeRead(work(3), read("41"), 1, LIMIT).action).toBe("drop");
    expect(judgeRead(work(9), read("41"), 1, LIMIT).action).toBe("drop");
    expect(judgeRead(work(1), read("41"), 2, 1).action).toBe("drop");
  });

  it("holds back work when any one of its hinted writes is missing from the read", () => {
    const seen = cause({ kind: "VirtualMCPServer", name: "team", oldResourceVersion: "40" });
    expect(judgeRead(work(2, [seen, updated]), read("41"), 1, LIMIT).action).toBe("retryLater");
  });
});

describe("retryDelaySeconds", () => {
  const at = (value: number) => () => value;

  it("with the least jitter, starts at 1 s and doubles until the cap's half", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12].map((count) => retryDelaySeconds(count, at(0)));
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 150, 150]);
  });

  it("with the most jitter, doubles from 2 s and stops at 300 s", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((count) => retryDelaySeconds(count, at(1)));
    expect(delays).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
  });

  it("waits at least a second even for a count of zero", () => {
    expect(retryDelaySeconds(0, at(0))).toBe(1);
    expect(retryDelaySeconds(0, at(1))).toBe(2);
  });

  it("stays between half the ceiling and the ceiling, never above 300, for any jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (count, random) => {
          const ceiling = Math.min(300, 2 ** Math.min(count, 9));
          const delay = retryDelaySeconds(count, at(random));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.max(1, ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeLessThanOrEqual(300);
        },
      ),
    );
  });
});
