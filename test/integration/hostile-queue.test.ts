// Queue messages with a bad schema, through the reconcile handler against the real API server: each is
// dropped with a warning that says why and a MessageDropped metric, costs no request to the API server,
// and fails nothing else in its batch.
import { describe, expect, it } from "vitest";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileHandler } from "../../functions/reconcile/handler.ts";
import { countRequests, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  lambdaContext,
  recordingLogger,
  recordingMetrics,
  sqsEvent,
  sqsRecord,
} from "../../infra/local/test-kit/lambda.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("hostile-queue");
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function setup() {
  const { logger, lines } = recordingLogger();
  const { metrics, names } = recordingMetrics();
  const handler = reconcileHandler({
    logger,
    metrics,
    kubeConfig: async () => kubeConfig(),
    options: { image: "example/vmcp:v0.47.0" },
    staleHintReceives: 3,
    retryLater: async () => {
      throw new Error("nothing in these batches is to be retried");
    },
  });
  const warnings = () =>
    lines.filter((l) => l.level === "warn").map((l) => ({ message: l.message, ...l.fields }));
  const infos = () => lines.filter((l) => l.level === "info").map((l) => l.message);
  return { handler, warnings, infos, metrics: names };
}

const request = (fields: Record<string, unknown>) =>
  JSON.stringify({ namespace: namespace.name, name: "shop", trigger: "hint", ...fields });
const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

// Each body, and what the warning's reason must say.
const HOSTILE: readonly [string, string, RegExp][] = [
  ["not JSON", "not json", /^the body is not JSON$/],
  ["an empty body", "", /^the body is not JSON$/],
  ["a truncated object", request({}).slice(0, 30), /^the body is not JSON$/],
  ["null", "null", /^\(root\): /],
  ["an array", "[]", /^\(root\): /],
  ["a number", "42", /^\(root\): /],
  ["an empty object", "{}", /^namespace: .*name: .*trigger: /],
  ["no trigger", request({ trigger: undefined }), /^trigger: /],
  ["an unknown trigger", request({ trigger: "reboot" }), /^trigger: /],
  ["a numeric name", request({ name: 42 }), /^name: /],
  ["an empty name", request({ name: "" }), /^name: /],
  ["a cause of the wrong shape", request({ cause: "everything" }), /^cause: /],
  ["a subresource as name", request({ name: "shop/status" }), /^name: "shop\/status" is not an object name$/],
  ["a parent path as namespace", request({ namespace: ".." }), /^namespace: "\.\." is not a namespace name$/],
  ["a dot as name", request({ name: "." }), /^name: "\." is not an object name$/],
  [
    "a bidi override in the name",
    request({ name: "sh\u202eop" }),
    /^name: "sh\\u202eop" is not an object name$/,
  ],
  ["nesting 10,000 deep", deep(10_000), /^\(root\): /],
  [
    "a 256 KiB namespace",
    request({ namespace: "n".repeat(256 * 1024) }),
    /^namespace: "n{100}"\.\.\. is not/,
  ],
];

describe("queue messages with a bad schema", () => {
  it(`drops ${HOSTILE.length} kinds, each with a warning and a metric, without a request to the API server`, async () => {
    const { handler, warnings, metrics } = setup();
    const records = HOSTILE.map(([, body]) => sqsRecord(body));
    let response: Awaited<ReturnType<typeof handler>> | undefined;
    const cost = await countRequests(kubeConfig(), async () => {
      response = await handler(sqsEvent(records), lambdaContext());
    });
    expect(response?.batchItemFailures).toEqual([]);
    expect(cost).toEqual({ reads: 0, writes: 0 });
    expect(metrics).toEqual(HOSTILE.map(() => "MessageDropped"));
    expect(warnings()).toHaveLength(HOSTILE.length);
    HOSTILE.forEach(([label, , reason], i) => {
      const warning = warnings()[i] as { message: string; messageId: string; reason: string };
      expect(warning.message, label).toBe("dropping a message that is not a reconcile request");
      expect(warning.messageId, label).toBe(records[i]?.messageId);
      expect(warning.reason, label).toMatch(reason);
      expect(warning.reason, label).toMatch(PRINTABLE_ASCII);
    });
  });

  it("reconciles the good messages of a batch in which every other message is hostile", async () => {
    await userApply(
      kubeConfig(),
      namespace.name,
      mcpGroup("tools"),
      virtualMCPServer("shop", { group: "tools" }),
      virtualMCPServer("cart", { group: "tools" }),
    );
    const { handler, warnings, infos, metrics } = setup();
    const good = [request({}), request({ name: "cart" }), request({ trigger: "resync" })];
    const records = HOSTILE.flatMap(([, body], i) => [
      sqsRecord(body),
      ...(good[i] ? [sqsRecord(good[i])] : []),
    ]);
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    // shop twice (hint and resync) is one reconcile; cart is another.
    expect(infos().filter((m) => m === "reconciled")).toHaveLength(2);
    expect(warnings()).toHaveLength(HOSTILE.length);
    expect(metrics.filter((m) => m === "MessageDropped")).toHaveLength(HOSTILE.length);
    expect(metrics.filter((m) => m === "ReconcileFailed")).toEqual([]);
    for (const name of ["shop", "cart"])
      expect(await getObject(kubeConfig(), "Deployment", namespace.name, name), name).toBeDefined();
  });
});
