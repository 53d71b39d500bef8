// The admission function's door and pipeline on Function URL events: routes, token, limits, decisions,
// hints; and a fuzz run of 10,000 generated requests that must never escape as an exception.

import type { APIGatewayProxyEventV2 } from "aws-lambda";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admissionHandler } from "../../functions/admission/handler.ts";
import { RecordingPublisher } from "../../functions/admission/hints.ts";
import { sameToken } from "../../functions/admission/http-gate.ts";
import type { Lookups } from "../../functions/core/admission/validate.ts";
import { DEFAULT_RUNTIME_VERSION } from "../../functions/core/runtime/versions.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { functionUrlEvent, silentObservability } from "../../infra/local/test-kit/lambda.ts";
import { virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const TOKEN = "s3cr3t-token-0123456789";
const found: Lookups = { group: "found", authConfigs: new Map(), members: 1 };

function setup(lookups: Lookups = found) {
  const publisher = new RecordingPublisher();
  const handler = admissionHandler({
    settings: {
      token: TOKEN,
      maxBodyBytes: 64 * 1024,
      failOpen: false,
      ownUsernames: ["vmcp-lambda"],
      runtimeVersion: DEFAULT_RUNTIME_VERSION,
    },
    lookUp: async () => lookups,
    publisher,
    ...silentObservability(),
  });
  return { handler, publisher };
}

const event = functionUrlEvent;

const review = (request: Record<string, unknown> = {}) => {
  const object = virtualMCPServer("team", { group: "g" }) as ReturnType<typeof virtualMCPServer> & {
    metadata: { uid?: string };
  };
  object.metadata.uid = "obj-1";
  return admissionReview("VirtualMCPServer", object, {
    uid: "u-1",
    userInfo: { username: "alice" },
    ...request,
  });
};

const parse = (result: unknown) => JSON.parse((result as { body: string }).body);

describe("the admission door", () => {
  it("answers 404 alike for a wrong token, a wrong route and a wrong method", async () => {
    const { handler } = setup();
    for (const e of [
      event("/wrong/validate", review()),
      event(`/${TOKEN}/other`, review()),
      event("/validate", review()),
      event(`/${TOKEN}/validate`, review(), {
        requestContext: { http: { method: "GET" } } as APIGatewayProxyEventV2["requestContext"],
      }),
    ]) {
      expect(await handler(e)).toEqual({
        statusCode: 404,
        headers: { "content-type": "application/json" },
        body: '{"error":"not found"}',
      });
    }
    expect(sameToken("a", "b")).toBe(false);
    expect(sameToken("", "")).toBe(false);
  });

  it("refuses wrong content types, oversized and malformed bodies with a clean 4xx", async () => {
    const { handler } = setup();
    expect(
      (await handler(event(`/${TOKEN}/validate`, review(), { headers: { "content-type": "text/plain" } })))
        .statusCode,
    ).toBe(415);
    expect((await handler(event(`/${TOKEN}/validate`, "x".repeat(70 * 1024)))).statusCode).toBe(413);
    expect(parse(await handler(event(`/${TOKEN}/validate`, "{nope")))).toMatchObject({
      error: expect.stringMatching(/^body is not JSON/),
    });
    const wrongVersion = await handler(
      event(`/${TOKEN}/validate`, { ...review(), apiVersion: "admission.k8s.io/v1beta1" }),
    );
    expect(wrongVersion.statusCode).toBe(400);
    expect(parse(wrongVersion).error).toContain("apiVersion");
    const noUid = review();
    delete (noUid.request as { uid?: string }).uid;
    expect((await handler(event(`/${TOKEN}/validate`, noUid))).statusCode).toBe(400);
  });

  it("accepts a base64 body, as Function URLs may deliver it", async () => {
    const { handler } = setup();
    const body = Buffer.from(JSON.stringify(review())).toString("base64");
    expect(
      parse(await handler(event(`/${TOKEN}/validate`, body, { isBase64Encoded: true }))).response,
    ).toMatchObject({ uid: "u-1", allowed: true });
  });
});

describe("decisions and hints", () => {
  it("admits and publishes exactly one hint for a real write", async () => {
    const { handler, publisher } = setup();
    const result = parse(await handler(event(`/${TOKEN}/validate`, review())));
    expect(result).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-1", allowed: true },
    });
    expect(publisher.hints).toEqual([
      {
        kind: "VirtualMCPServer",
        namespace: "tools",
        name: "team",
        uid: "obj-1",
        operation: "CREATE",
        oldResourceVersion: undefined,
        groups: [],
        at: expect.any(Number),
      },
    ]);
  });

  it("publishes nothing on dry run, on a denial, or for the functions' own writes", async () => {
    const { handler, publisher } = setup();
    await handler(event(`/${TOKEN}/validate`, review({ dryRun: true })));
    await handler(event(`/${TOKEN}/validate`, review({ userInfo: { username: "vmcp-lambda" } })));
    const denied = setup({ ...found, group: "missing" });
    const result = parse(await denied.handler(event(`/${TOKEN}/validate`, review())));
    expect(result.response).toMatchObject({
      allowed: false,
      status: {
        code: 403,
        message: 'spec.groupRef.name: MCPGroup "g" not found in namespace "tools"; create it or fix the name',
      },
    });
    expect(publisher.hints).toEqual([]);
    expect(denied.publisher.hints).toEqual([]);
  });

  it("keeps its decision when publishing fails", async () => {
    const { handler } = setup();
    const failing = admissionHandler({
      settings: {
        token: TOKEN,
        maxBodyBytes: 1024 * 1024,
        failOpen: false,
        ownUsernames: [],
        runtimeVersion: DEFAULT_RUNTIME_VERSION,
      },
      lookUp: async () => found,
      publisher: { publish: async () => Promise.reject(new Error("bus down")) },
      ...silentObservability(),
    });
    expect(parse(await failing(event(`/${TOKEN}/validate`, review()))).response.allowed).toBe(true);
    expect(parse(await handler(event(`/${TOKEN}/mutate`, review()))).response).toMatchObject({
      allowed: true,
      patchType: "JSONPatch",
    });
  });
});

describe("fuzzing", () => {
  const wellFormed = (result: { statusCode?: number; body?: string }, uid?: unknown) => {
    expect([200, 400, 404, 413, 415]).toContain(result.statusCode);
    const body = JSON.parse(result.body ?? "");
    if (result.statusCode === 200) {
      expect(body.apiVersion).toBe("admission.k8s.io/v1");
      expect(typeof body.response.allowed).toBe("boolean");
      expect(body.response.uid).toBe(uid);
    } else expect(typeof body.error).toBe("string");
  };

  it("10,000 generated requests: mutated reviews, random JSON, deep nesting, wrong versions, missing uids", async () => {
    const { handler } = setup();
    const mutatedReview = fc.record({
      uid: fc.option(fc.string(), { nil: undefined }),
      operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT", "PATCH"),
      kind: fc.constantFrom("VirtualMCPServer", "MCPServer", "MCPRemoteProxy", "MCPGroup", "Pod"),
      object: fc.oneof(fc.jsonValue(), fc.constant(review().request.object)),
      oldObject: fc.option(fc.jsonValue(), { nil: undefined }),
      dryRun: fc.option(fc.boolean(), { nil: undefined }),
      apiVersion: fc.constantFrom("admission.k8s.io/v1", "admission.k8s.io/v1beta1", "v1"),
    });
    const deep = fc.integer({ min: 1, max: 5000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: mutatedReview.map(({ apiVersion, uid, kind, ...rest }) =>
          JSON.stringify({
            ...review(),
            apiVersion,
            request: {
              ...review().request,
              ...rest,
              uid,
              kind: { group: "toolhive.stacklok.dev", version: "v1beta1", kind },
            },
          }),
        ),
      },
      { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: deep },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("validate", "mutate"), async (text, webhook) => {
        const result = await handler(event(`/${TOKEN}/${webhook}`, text));
        let uid: unknown;
        try {
          uid = JSON.parse(text)?.request?.uid;
        } catch {}
        wellFormed(result as { statusCode?: number; body?: string }, uid);
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
