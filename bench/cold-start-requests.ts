// The requests the cold-start bench sends: one per function that it answers with no network I/O, how to tell
// it answered right, and the environment the functions get (serverless.yml's, pointed at nothing).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { admissionReview } from "../infra/local/test-kit/admission-review.ts";
import { virtualMCPServer } from "../infra/local/test-kit/toolhive-objects.ts";

const TOKEN = "cold-start-token-0123456789";

const review = admissionReview(
  "VirtualMCPServer",
  virtualMCPServer("team", { spec: { config: { groupRef: "team-a" } } }),
);

/** A bundle's request, and how to tell it answered right. */
export interface Probe {
  readonly event: unknown;
  /** Import only: the function cannot answer anything without the API server. */
  readonly importOnly?: boolean;
  readonly check: (answer: unknown) => string | undefined;
}

export const PROBES: Record<string, Probe> = {
  noop: {
    event: {},
    check: (a) => ((a as { statusCode?: number })?.statusCode === 200 ? undefined : "no 200"),
  },
  admission: {
    event: {
      version: "2.0",
      routeKey: "$default",
      rawPath: `/${TOKEN}/mutate`,
      rawQueryString: "",
      headers: { "content-type": "application/json" },
      requestContext: { http: { method: "POST", path: `/${TOKEN}/mutate` } },
      body: JSON.stringify(review),
      isBase64Encoded: false,
    },
    check: (a) => {
      const { statusCode, body } = a as { statusCode?: number; body?: string };
      const answer = JSON.parse(body ?? "{}") as { kind?: string; response?: Record<string, unknown> };
      const ok =
        statusCode === 200 &&
        answer.kind === "AdmissionReview" &&
        answer.response?.uid === review.request.uid &&
        answer.response?.allowed === true &&
        typeof answer.response?.patch === "string";
      return ok ? undefined : `not an allowing AdmissionReview with a patch: ${statusCode} ${body}`;
    },
  },
  router: {
    event: {
      version: "0",
      id: "cold-start",
      "detail-type": "ChangeHint",
      source: "vmcp-lambda.admission",
      account: "000000000000",
      time: "2025-01-01T00:00:00Z",
      region: "us-east-1",
      resources: [],
      detail: { note: "not a change hint" },
    },
    check: (a) => ((a as { queued?: number })?.queued === 0 ? undefined : "the event was not dropped"),
  },
  reconcile: {
    event: {
      Records: [
        {
          messageId: "m-1",
          receiptHandle: "r-1",
          body: "not json",
          attributes: { ApproximateReceiveCount: "1", MessageGroupId: "tools/team", SentTimestamp: "0" },
          messageAttributes: {},
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:reconcile.fifo",
          awsRegion: "us-east-1",
        },
      ],
    },
    check: (a) => {
      const failures = (a as { batchItemFailures?: unknown[] })?.batchItemFailures;
      return Array.isArray(failures) && failures.length === 0 ? undefined : "the message was not dropped";
    },
  },
  resync: { event: {}, importOnly: true, check: () => undefined },
};

/** The deployed environment's fixed part (serverless.yml), with nothing that could reach the network. */
export async function childEnvironment(repo: string): Promise<NodeJS.ProcessEnv> {
  const stack = parse(await readFile(join(repo, "serverless.yml"), "utf8"), { logLevel: "silent" }) as {
    provider: { environment: Record<string, string> };
  };
  const fixed = Object.entries(stack.provider.environment).filter(([, v]) => !String(v).includes("${"));
  return {
    PATH: process.env.PATH,
    ...Object.fromEntries(fixed),
    POWERTOOLS_TRACE_ENABLED: "false",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDCOLDSTART",
    AWS_SECRET_ACCESS_KEY: "cold-start",
    WEBHOOK_TOKEN: TOKEN,
    KUBE_SERVER: "https://127.0.0.1:1",
    KUBE_CA_DATA: Buffer.from("not a CA").toString("base64"),
    KUBE_AUTH: "token",
    KUBE_TOKEN_PARAMETER: "/cold-start/kube-token",
    RECONCILE_QUEUE_URL: "https://127.0.0.1:1/000000000000/reconcile.fifo",
    HINT_BUS_NAME: "cold-start-hints",
  };
}
