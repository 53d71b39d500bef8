// The admission decisions on AdmissionReviews shaped like the API server's.
import jsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import { mutate } from "../../../functions/core/admission/mutate.ts";
import { AdmissionReview, allow, deny } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Lookups, referencesOf } from "../../../functions/core/admission/validate.ts";
import { GROUP_LABEL } from "../../../functions/core/kinds/names.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { virtualMCPServer } from "../../../infra/local/test-kit/toolhive-objects.ts";

const review = (kind: string, object: unknown, extra: Record<string, unknown> = {}) =>
  AdmissionReview.parse(admissionReview(kind, object, extra)).request;

const vmcp = (spec: Record<string, unknown> = {}) => virtualMCPServer("team", { spec });
const found: Lookups = { group: "found", authConfigs: new Map(), members: 2 };

describe("validation decisions", () => {
  it("admits any status write without a lookup: the spec was judged when it was written", () => {
    const request = review("VirtualMCPServer", vmcp(), { operation: "UPDATE", subResource: "status" });
    expect(referencesOf(request).group).toBeUndefined();
    expect(referencesOf(request).authConfigs).toEqual(new Map());
    expect(decideValidation(request, { ...found, group: "missing" })).toEqual({
      allowed: true,
      warnings: [],
    });
  });

  it("admits a valid VirtualMCPServer whose group exists", () => {
    expect(decideValidation(review("VirtualMCPServer", vmcp()), found)).toEqual({
      allowed: true,
      warnings: [],
    });
  });

  it("refuses a missing group, naming it, the namespace and the fix", () => {
    const decision = decideValidation(review("VirtualMCPServer", vmcp()), { ...found, group: "missing" });
    expect(decision).toMatchObject({
      allowed: false,
      message:
        'spec.groupRef.name: MCPGroup "team-a" not found in namespace "tools"; create it or fix the name',
    });
  });

  it("fails closed when the group cannot be verified, unless told to fail open", () => {
    const unreachable = { ...found, group: { error: "timeout after 2s" } };
    expect(decideValidation(review("VirtualMCPServer", vmcp()), unreachable).message).toBe(
      'spec.groupRef.name: MCPGroup "team-a" could not be verified (timeout after 2s); try again',
    );
    const open = decideValidation(review("VirtualMCPServer", vmcp()), unreachable, { failOpen: true });
    expect(open.allowed).toBe(true);
    expect(open.warnings[0]).toContain("admitted unverified");
  });

  it("refuses a missing MCPExternalAuthConfig at the field that names it", () => {
    const object = vmcp({
      outgoingAuth: {
        source: "inline",
        backends: { github: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "gh-token" } } },
      },
    });
    const request = review("VirtualMCPServer", object);
    const refs = referencesOf(request);
    expect([...refs.authConfigs]).toEqual([
      ["spec.outgoingAuth.backends[github].externalAuthConfigRef.name", "gh-token"],
    ]);
    const decision = decideValidation(request, {
      ...found,
      authConfigs: new Map([...refs.authConfigs.keys()].map((k) => [k, "missing" as const])),
    });
    expect(decision.message).toBe(
      'spec.outgoingAuth.backends[github].externalAuthConfigRef.name: MCPExternalAuthConfig "gh-token" not found in namespace "tools"; create it or fix the name',
    );
  });

  it("reports spec errors with their paths, all at once", () => {
    const decision = decideValidation(
      review(
        "VirtualMCPServer",
        vmcp({ incomingAuth: { type: "oidc" }, outgoingAuth: { source: "static" } }),
      ),
      found,
    );
    expect(decision.message).toMatch(
      /^spec.incomingAuth.oidcConfigRef: required when type is oidc.*; spec.outgoingAuth.source: unsupported value "static"/,
    );
  });

  it("warns on an inline server over an empty group, and on a mode switch", () => {
    const inline = vmcp({ outgoingAuth: { source: "inline" } });
    expect(
      decideValidation(review("VirtualMCPServer", inline), { ...found, members: 0 }).warnings[0],
    ).toContain('MCPGroup "team-a" has no members yet');
    const switched = decideValidation(
      review("VirtualMCPServer", inline, { operation: "UPDATE", oldObject: vmcp() }),
      found,
    );
    expect(switched).toMatchObject({
      allowed: true,
      warnings: [expect.stringContaining("switching to inline; vmcp-lambda takes over")],
    });
  });

  it("checks an MCPServer's groupRef and lets deletes and other kinds through", () => {
    const server = (groupRef: unknown) => ({ metadata: { name: "s" }, spec: { image: "x", groupRef } });
    expect(decideValidation(review("MCPServer", server({ name: "" })), found).allowed).toBe(false);
    expect(decideValidation(review("MCPServer", server("team-a")), found).allowed).toBe(true);
    expect(
      decideValidation(review("VirtualMCPServer", undefined, { operation: "DELETE" }), found).allowed,
    ).toBe(true);
    expect(decideValidation(review("MCPGroup", { metadata: { name: "g" } }), found).allowed).toBe(true);
  });
});

describe("mutation", () => {
  const apply = (object: unknown, patch: jsonPatch.Operation[]) =>
    jsonPatch.applyPatch(structuredClone(object), patch).newDocument;

  it("migrates the old spellings with a warning each, labels the group, and defaults", () => {
    const old = vmcp({
      groupRef: undefined,
      config: { groupRef: "team-a" },
      outgoingAuth: { default: { type: "external_auth_config_ref", externalAuthConfigRef: { name: "x" } } },
    });
    const { patch, warnings } = mutate("VirtualMCPServer", old);
    const result = apply(old, patch) as ReturnType<typeof vmcp> & {
      metadata: { labels: Record<string, string> };
    };
    expect(result.spec).toMatchObject({
      groupRef: { name: "team-a" },
      config: {},
      serviceType: "ClusterIP",
      outgoingAuth: { source: "discovered", default: { type: "externalAuthConfigRef" } },
    });
    expect(result.metadata.labels[GROUP_LABEL]).toBe("team-a");
    expect(warnings).toHaveLength(2);
    expect(mutate("VirtualMCPServer", result)).toEqual({ patch: [], warnings: [] });
  });

  it("turns a member's string groupRef into {name} and labels it", () => {
    const server = {
      metadata: { name: "s", labels: { app: "x" } },
      spec: { image: "x", groupRef: "team-a" },
    };
    const { patch, warnings } = mutate("MCPServer", server);
    const result = apply(server, patch) as {
      metadata: { labels: Record<string, string> };
      spec: { groupRef: unknown };
    };
    expect(result.spec.groupRef).toEqual({ name: "team-a" });
    expect(result.metadata.labels).toEqual({ app: "x", [GROUP_LABEL]: "team-a" });
    expect(warnings[0]).toContain("plain string form is deprecated");
    expect(mutate("MCPServer", result).patch).toEqual([]);
    expect(mutate("MCPGroup", server).patch).toEqual([]);
  });

  it("adds no labels object to a member without a group", () => {
    expect(mutate("MCPServer", { metadata: { name: "s" }, spec: { image: "x" } }).patch).toEqual([]);
  });
});

describe("responses", () => {
  it("echo the uid, carry a base64 patch only when non-empty, and deny with 403", () => {
    expect(allow("u1")).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u1", allowed: true },
    });
    const patched = allow("u2", ["w"], [{ op: "add", path: "/a", value: 1 }]).response;
    expect(JSON.parse(Buffer.from(patched.patch ?? "", "base64").toString())).toEqual([
      { op: "add", path: "/a", value: 1 },
    ]);
    expect(patched).toMatchObject({ patchType: "JSONPatch", warnings: ["w"] });
    expect(deny("u3", "no").response).toEqual({
      uid: "u3",
      allowed: false,
      status: { code: 403, reason: "Forbidden", message: "no" },
    });
  });
});
