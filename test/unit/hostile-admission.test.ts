// Hostile requests through the admission function's real handler, with its default settings: bodies at
// and over the size limit, nesting 10,000 deep, odd Unicode in names, broken AdmissionReview envelopes,
// an object of the wrong kind, and names at the length limit. Each gets a specific answer, never an
// exception, and only an allowed write publishes a hint (the function writes nothing else).
import { describe, expect, it } from "vitest";
import { admissionHandler } from "../../functions/admission/handler.ts";
import { RecordingPublisher } from "../../functions/admission/hints.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import {
  defaultAdmissionSettings,
  functionUrlEvent,
  recordingMetrics,
  silentLogger,
} from "../../infra/local/test-kit/lambda.ts";
import { virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const TOKEN = "s3cr3t-token-0123456789";
const SETTINGS = defaultAdmissionSettings(TOKEN);
const LIMIT = SETTINGS.maxBodyBytes;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function setup() {
  const publisher = new RecordingPublisher();
  const { metrics, names: counted } = recordingMetrics();
  const handler = admissionHandler({
    settings: SETTINGS,
    lookUp: async () => ({ group: "found", authConfigs: new Map(), members: 1 }),
    publisher,
    logger: silentLogger(),
    metrics,
  });
  const send = async (body: string, webhook = "validate", base64 = false) => {
    const result = await handler(
      functionUrlEvent(`/${TOKEN}/${webhook}`, base64 ? Buffer.from(body).toString("base64") : body, {
        isBase64Encoded: base64,
      }),
    );
    return { status: result.statusCode, text: result.body ?? "", json: JSON.parse(result.body ?? "") };
  };
  return { send, publisher, counted };
}

type Vmcp = ReturnType<typeof virtualMCPServer> & { metadata: Record<string, unknown> };
const object = (name = "team"): Vmcp => ({
  ...virtualMCPServer(name),
  metadata: { name, namespace: "tools" },
});
const reviewOf = (vmcp: unknown, request: Record<string, unknown> = {}) =>
  admissionReview("VirtualMCPServer", vmcp, { uid: "u-1", ...request });

/** A valid review padded by an annotation to exactly `bytes` bytes. */
function reviewOfSize(bytes: number, request: Record<string, unknown> = {}): string {
  const padded = (fill: number) => {
    const vmcp = object();
    vmcp.metadata.annotations = { "example.com/blob": "x".repeat(fill) };
    return JSON.stringify(reviewOf(vmcp, request));
  };
  const text = padded(0);
  return padded(bytes - Buffer.byteLength(text));
}

describe("bodies at the size limit", () => {
  it("refuses one byte over the limit with 413, plain or base64, and publishes nothing", async () => {
    const { send, publisher, counted } = setup();
    for (const base64 of [false, true]) {
      const over = await send(reviewOfSize(LIMIT + 1), "validate", base64);
      expect(over).toMatchObject({
        status: 413,
        json: { error: `body of ${LIMIT + 1} bytes is over the limit of ${LIMIT}` },
      });
    }
    expect(publisher.hints).toEqual([]);
    expect(counted).toEqual(["Rejected413", "Rejected413"]);
  });

  it("answers a review of exactly the limit, and a 3 MiB+ update (object and oldObject), once each", async () => {
    const { send, publisher } = setup();
    expect(LIMIT).toBeGreaterThan(3 * 1024 * 1024);
    const atLimit = reviewOfSize(LIMIT);
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    expect((await send(atLimit)).json.response).toEqual({ uid: "u-1", allowed: true });

    const big = object();
    big.metadata.annotations = { "example.com/blob": "y".repeat(1536 * 1024) };
    const update = JSON.stringify(reviewOf(big, { operation: "UPDATE", oldObject: big }));
    expect(Buffer.byteLength(update)).toBeGreaterThan(3 * 1024 * 1024);
    expect((await send(update)).json.response).toEqual({ uid: "u-1", allowed: true });
    expect((await send(update, "mutate")).json.response).toMatchObject({
      allowed: true,
      patchType: "JSONPatch",
    });
    expect(publisher.hints).toHaveLength(2);
  });
});

describe("nesting 10,000 deep", () => {
  it("answers a bare nested body with 400 naming what is missing", async () => {
    const { send } = setup();
    const answer = await send(`${"[".repeat(10_000)}${"]".repeat(10_000)}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/^not an admission.k8s.io\/v1 AdmissionReview: \(root\): /);
  });

  it.each([10_000, 100_000])(
    "refuses a spec.config %i levels deep by name, and mutates nothing",
    async (levels) => {
      const { send, publisher } = setup();
      const text = JSON.stringify(reviewOf(object())).replace(
        '"spec":{',
        `"spec":{"config":${'{"a":'.repeat(levels)}1${"}".repeat(levels)},`,
      );
      expect((await send(text)).json.response).toEqual({
        uid: "u-1",
        allowed: false,
        status: {
          code: 403,
          reason: "Forbidden",
          message: "spec.config: nested more than 100 levels deep; no setting needs that many, so flatten it",
        },
      });
      expect((await send(text, "mutate")).json.response).toEqual({ uid: "u-1", allowed: true });
      expect(publisher.hints).toEqual([]);
    },
  );
});

// Names as the JSON body spells them (escapes, so a lone surrogate can be written), and as the message shows them.
const ODD_NAMES: readonly [string, string, string][] = [
  ["a right-to-left override", "tools\\u202etxt", '"tools\\u202etxt"'],
  ["a zero-width joiner", "to\\u200dols", '"to\\u200dols"'],
  ["a combining accent", "cafe\\u0301", '"cafe\\u0301"'],
  ["an emoji", "tools-\\ud83d\\ude00", '"tools-\\u{1f600}"'],
  ["a NUL", "tools\\u0000x", '"tools\\u0000x"'],
  ["a lone surrogate", "tools\\ud800", '"tools\\ud800"'],
  ["full-width digits", "tools\\uff11\\uff12", '"tools\\uff11\\uff12"'],
  ["an escape sequence", "tools\\u001b[2J", '"tools\\u001b[2J"'],
];

describe("odd Unicode in names", () => {
  it.each(ODD_NAMES)("refuses a name with %s at metadata.name, escaped, in ASCII", async (_, json, shown) => {
    const { send, publisher } = setup();
    const text = JSON.stringify(reviewOf(object("PLACEHOLDER"))).replaceAll("PLACEHOLDER", json);
    const answer = await send(text);
    expect(answer.json.response).toMatchObject({
      allowed: false,
      status: {
        message: `metadata.name: ${shown} is not a DNS label (lowercase letters, digits and '-'); it names the vMCP Deployment and Service`,
      },
    });
    // Raw bidi, zero-width or control characters reach no terminal: the whole answer is printable ASCII.
    expect(answer.text).toMatch(PRINTABLE_ASCII);
    expect(publisher.hints).toEqual([]);
  });

  it("warns about an odd group on the mutating webhook in ASCII, without the label", async () => {
    const { send } = setup();
    const text = JSON.stringify(reviewOf(object())).replace('"team-a"', '"team\\u202e-a"');
    const answer = await send(text, "mutate");
    expect(answer.json.response.warnings).toEqual([
      'metadata.labels: group "team\\u202e-a" cannot be a label value; toolhive.stacklok.dev/group is not set',
    ]);
    expect(answer.text).toMatch(PRINTABLE_ASCII);
  });
});

describe("broken AdmissionReview envelopes", () => {
  const valid = () => reviewOf(object()) as Record<string, any>;
  it.each([
    [
      "a wrong apiVersion",
      (r: any) => Object.assign(r, { apiVersion: "admission.k8s.io/v1beta1" }),
      "apiVersion",
    ],
    ["a wrong kind", (r: any) => Object.assign(r, { kind: "ConversionReview" }), "kind"],
    ["no request", (r: any) => Object.assign(r, { request: undefined }), "request"],
    ["a null request", (r: any) => Object.assign(r, { request: null }), "request"],
    ["no uid", (r: any) => Object.assign(r.request, { uid: undefined }) && r, "request.uid"],
    ["an empty uid", (r: any) => Object.assign(r.request, { uid: "" }) && r, "request.uid"],
    ["a numeric uid", (r: any) => Object.assign(r.request, { uid: 42 }) && r, "request.uid"],
    [
      "an unknown operation",
      (r: any) => Object.assign(r.request, { operation: "PATCH" }) && r,
      "request.operation",
    ],
    [
      "no kind in the request",
      (r: any) => Object.assign(r.request, { kind: "VirtualMCPServer" }) && r,
      "request.kind",
    ],
  ])("answers %s with 400 naming the field, and publishes nothing", async (_, breakIt, field) => {
    const { send, publisher } = setup();
    for (const webhook of ["validate", "mutate"]) {
      const answer = await send(JSON.stringify(breakIt(valid())), webhook);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatch(
        new RegExp(`^not an admission.k8s.io/v1 AdmissionReview: ${field}: `),
      );
    }
    expect(publisher.hints).toEqual([]);
  });

  it("refuses an object of another kind than the request names, and defaults nothing in it", async () => {
    const { send, publisher } = setup();
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "team", namespace: "tools" }, spec: {} };
    expect((await send(JSON.stringify(reviewOf(pod)))).json.response).toMatchObject({
      allowed: false,
      status: { message: `object: kind "Pod" does not match the request's kind "VirtualMCPServer"` },
    });
    expect((await send(JSON.stringify(reviewOf(pod)), "mutate")).json.response).toEqual({
      uid: "u-1",
      allowed: true,
    });
    for (const notAnObject of [null, [], "team", 7])
      expect((await send(JSON.stringify(reviewOf(notAnObject)))).json.response).toMatchObject({
        allowed: false,
        status: { message: "the object is not a VirtualMCPServer: metadata and spec must be objects" },
      });
    expect(publisher.hints).toEqual([]);
  });
});

describe("names at the length limit", () => {
  it("admits the longest name (58) with a hint, and refuses 59 naming the 63-character Service limit and the fix", async () => {
    const { send, publisher } = setup();
    expect((await send(JSON.stringify(reviewOf(object("a".repeat(58)))))).json.response).toEqual({
      uid: "u-1",
      allowed: true,
    });
    expect(publisher.hints).toMatchObject([{ name: "a".repeat(58) }]);
    const refused = await send(JSON.stringify(reviewOf(object("a".repeat(59)))));
    expect(refused.json.response.status.message).toBe(
      `metadata.name: "${"a".repeat(59)}" has 59 characters; at most 58 fit, since the Service is vmcp-<name> and Service names are limited to 63; choose a shorter name`,
    );
    expect(publisher.hints).toHaveLength(1);
  });
});
