// The webhook's path token gives an attacker no oracle: a wrong token costs the same time however close it
// is, and every request without the right token, route and method gets byte-identical answers from the
// real Lambda handler, with nothing logged that holds the token.
import { randomBytes } from "node:crypto";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type GateOptions, gate, type HttpRequest } from "../../functions/admission/http-gate.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { functionUrlEvent, lambdaContext } from "../../infra/local/test-kit/lambda.ts";
import { virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const TOKEN = randomBytes(24).toString("hex"); // as the local stack makes it
const OPTIONS: GateOptions = { token: TOKEN, maxBodyBytes: 64 * 1024 };
const flip = (text: string, at: number) =>
  text.slice(0, at) + (text[at] === "0" ? "1" : "0") + text.slice(at + 1);

/**
 * The median time of one batch of `calls` calls per variant. Variants take turns within each round, in a
 * rotating order, so load from other processes and garbage collection fall on all of them alike; medians
 * of batches ignore the rounds that a spike spoilt. Only ratios between variants are compared.
 */
function medianBatchTimes(variants: Record<string, () => unknown>, rounds = 201, calls = 50) {
  const names = Object.keys(variants);
  const samples = new Map(names.map((name) => [name, [] as number[]]));
  let sink = 0;
  for (let round = -30; round < rounds; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(Math.abs(round) + turn) % names.length] as string;
      const run = variants[name] as () => unknown;
      const started = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) if (run()) sink++;
      const elapsed = Number(process.hrtime.bigint() - started);
      if (round >= 0) samples.get(name)?.push(elapsed); // the first rounds warm the JIT up
    }
  }
  expect(sink).toBeGreaterThan(0); // keeps the calls from being optimised away
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
  return { medians: Object.fromEntries(names.map((n) => [n, median(samples.get(n) ?? [])])), samples };
}

/** P(a sample of `a` is slower than one of `b`): 0.5 when neither is systematically slower. */
function probabilitySlower(a: readonly number[], b: readonly number[]): number {
  let slower = 0;
  for (const x of a) for (const y of b) slower += x > y ? 1 : x === y ? 0.5 : 0;
  return slower / (a.length * b.length);
}

const spread = (medians: Record<string, number>) =>
  Math.max(...Object.values(medians)) / Math.min(...Object.values(medians));

const post = (token: string, method = "POST"): HttpRequest => ({
  method,
  path: `/${token}/validate`,
  headers: { "content-type": "application/json" },
  body: "{}",
  isBase64Encoded: false,
});

describe("no timing oracle", () => {
  it("gate() takes the same time for the right token with a wrong method and for any wrong token", () => {
    // Requests made beforehand, so that only gate() is timed.
    const requests = {
      rightTokenWrongMethod: post(TOKEN, "GET"),
      firstCharWrong: post(flip(TOKEN, 0)),
      lastCharWrong: post(flip(TOKEN, TOKEN.length - 1)),
      muchShorter: post(TOKEN.slice(0, 2)),
      muchLonger: post(TOKEN + TOKEN),
    };
    const variants = Object.fromEntries(
      Object.entries(requests).map(([name, request]) => [name, () => gate(request, OPTIONS).ok === false]),
    );
    // All five answer 404: a difference in time would be the only way to tell them apart.
    for (const run of Object.values(variants)) expect(run()).toBe(true);
    const { medians, samples } = medianBatchTimes(variants);
    expect(spread(medians), JSON.stringify(medians)).toBeLessThan(1.5);
    const p = probabilitySlower(samples.get("lastCharWrong") ?? [], samples.get("firstCharWrong") ?? []);
    expect(p, `P(last-char slower than first-char) = ${p}`).toBeGreaterThan(0.2);
    expect(p).toBeLessThan(0.8);
  }, 60_000); // a loaded machine makes it slow, never wrong

  it("the same measurement catches a comparison that stops at the first differing character", () => {
    // The control: without it, a measurement too coarse to see anything would pass the test above.
    const secret = randomBytes(2048).toString("hex");
    const leaky = (given: string) => {
      if (given.length !== secret.length) return false;
      for (let i = 0; i < given.length; i++) if (given.charCodeAt(i) !== secret.charCodeAt(i)) return false;
      return true;
    };
    const first = flip(secret, 0);
    const last = flip(secret, secret.length - 1);
    const { medians, samples } = medianBatchTimes(
      { firstCharWrong: () => !leaky(first), lastCharWrong: () => !leaky(last) },
      101,
      20,
    );
    expect(spread(medians)).toBeGreaterThan(3);
    expect(
      probabilitySlower(samples.get("lastCharWrong") ?? [], samples.get("firstCharWrong") ?? []),
    ).toBeGreaterThan(0.9);
  }, 60_000);
});

// The real handler (middy, Powertools) reads its settings from the environment on its first request, and
// its logger reads POWERTOOLS_LOGGER_LOG_EVENT when the module loads: an operator who turns event logging
// on to debug must still not get the token, which is in every event's path, into CloudWatch.
const ENV = {
  WEBHOOK_TOKEN: TOKEN,
  KUBE_SERVER: "https://127.0.0.1:1",
  KUBE_CA_DATA: "Zm9v",
  KUBE_AUTH: "eks",
  KUBE_CLUSTER_NAME: "test",
  HINT_BUS_NAME: "vmcp-lambda-test-hints",
  POWERTOOLS_LOGGER_LOG_EVENT: "true",
  POWERTOOLS_DEV: "",
};
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  handler = (await import("../../functions/admission/handler.ts")).handler as typeof handler;
});
afterAll(() => vi.unstubAllEnvs());

const context = lambdaContext(5_000);

const REVIEW = JSON.stringify(admissionReview("VirtualMCPServer", virtualMCPServer("team"), { uid: "u" }));

const event = (path: string, extra: Partial<APIGatewayProxyEventV2> = {}, method = "POST") =>
  functionUrlEvent(path, REVIEW, extra, method);

/** The handler's answer and everything the process printed meanwhile (logs, metrics). */
async function call(e: APIGatewayProxyEventV2): Promise<{ response: string; printed: string }> {
  let printed = "";
  const capture = (chunk: string | Uint8Array) => {
    printed += chunk.toString();
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    return { response: JSON.stringify(await handler(e, context)), printed };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const WRONG = flip(TOKEN, 5);
const NOT_THE_DOOR: [string, APIGatewayProxyEventV2][] = [
  ["a wrong token", event(`/${WRONG}/validate`)],
  ["the token with its first character wrong", event(`/${flip(TOKEN, 0)}/validate`)],
  ["the token with its last character wrong", event(`/${flip(TOKEN, TOKEN.length - 1)}/validate`)],
  ["no token", event("/validate")],
  ["an empty token", event("//validate")],
  ["the token but its last character", event(`/${TOKEN.slice(0, -1)}/validate`)],
  ["the token and one more character", event(`/${TOKEN}0/validate`)],
  ["the token upper-cased", event(`/${TOKEN.toUpperCase()}/validate`)],
  ["the token percent-encoded", event(`/%${TOKEN.charCodeAt(0).toString(16)}${TOKEN.slice(1)}/validate`)],
  ["the token on the mutate route, wrong", event(`/${WRONG}/mutate`)],
  ["the token, a wrong route", event(`/${TOKEN}/admit`)],
  ["the token, a trailing slash", event(`/${TOKEN}/validate/`)],
  ["the token below another segment", event(`/x/${TOKEN}/validate`)],
  ["the token in the query string", event("/validate", { rawQueryString: `token=${TOKEN}` })],
  ["the token as a bearer header", event("/validate", { headers: { authorization: `Bearer ${TOKEN}` } })],
  ["the token, GET", event(`/${TOKEN}/validate`, {}, "GET")],
  ["the token, PUT", event(`/${TOKEN}/validate`, {}, "PUT")],
  ["the token, DELETE", event(`/${TOKEN}/mutate`, {}, "DELETE")],
  ["the token, HEAD without a body", event(`/${TOKEN}/validate`, { body: undefined }, "HEAD")],
  [
    "a wrong token with a text/plain body",
    event(`/${WRONG}/validate`, { headers: { "content-type": "text/plain" } }),
  ],
  ["a wrong token with a body over the limit", event(`/${WRONG}/validate`, { body: "x".repeat(70_000) })],
  ["a wrong token with a body that is not JSON", event(`/${WRONG}/validate`, { body: "{nope" })],
  ["a wrong token with a base64 body", event(`/${WRONG}/validate`, { isBase64Encoded: true })],
  ["a wrong token without a body", event(`/${WRONG}/validate`, { body: undefined })],
];

describe("no error-message oracle", () => {
  it(`gives ${NOT_THE_DOOR.length} kinds of request without the right token, route and method byte-identical 404s`, async () => {
    const answers = new Map<string, string[]>();
    for (const [what, e] of NOT_THE_DOOR) {
      const { response, printed } = await call(e);
      answers.set(response, [...(answers.get(response) ?? []), what]);
      expect(printed, what).not.toContain(TOKEN);
      expect(printed.toLowerCase(), what).not.toContain(TOKEN.slice(0, 16));
    }
    expect([...answers.keys()]).toEqual([
      JSON.stringify({
        statusCode: 404,
        headers: { "content-type": "application/json" },
        body: '{"error":"not found"}',
      }),
    ]);
  });

  it("opens for the right token, route and method, still without printing the token", async () => {
    // The positive control: the door above is shut because of what was wrong, not because it never opens.
    const { response, printed } = await call(event(`/${TOKEN}/mutate`));
    expect(JSON.parse(JSON.parse(response).body).response).toMatchObject({ uid: "u", allowed: true });
    expect(printed).toContain('"level":"INFO"'); // the logger did write, to where the capture looks
    expect(printed).not.toContain(TOKEN);
  });
});
