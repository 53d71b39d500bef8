// MCPAuthzConfig references: the Cedar policies, entities and claim mapping written into the runtime's
// incomingAuth.authz (never the reference, which the runtime refuses), AuthzConfigRefValidated and
// status.authzConfigHash as upstream keeps them, and a missing or unusable config refuses the spec.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import type { Condition } from "../../../functions/core/kinds/kubernetes.ts";
import { type Plan, planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpAuthzConfig } from "../../../infra/local/test-kit/toolhive-objects.ts";

const POLICY = 'permit(principal in THVGroup::"admins", action, resource);';
const ENTITIES = '[{"uid": {"type": "THVGroup", "id": "admins"}, "attrs": {}, "parents": []}]';
const shared = (config: Record<string, unknown>, type = "cedarv1") =>
  mcpAuthzConfig("shared", { spec: { type, config } });
const usable = shared({
  policies: [POLICY],
  entities_json: ENTITIES,
  group_claim_name: "https://example.com/groups",
  role_claim_name: "roles",
  group_entity_type: "Team",
  primary_upstream_provider: "ignored",
});
const referencing = (name = "shared") =>
  vmcp({ incomingAuth: { type: "anonymous", authzConfigRef: { name } } });

const planOf = (authzConfigs = [usable], name = "shared") =>
  planReconcile(snapshot({ vmcp: referencing(name), authzConfigs }), {
    image: "example/vmcp:1",
    runtime: RUNTIME,
    now: NOW,
  });

const writtenConfig = (plan: Plan) => {
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return parse(configMap.data["config.yaml"] ?? "");
};
const condition = (plan: Plan, type: string) =>
  ((plan.status?.conditions ?? []) as Condition[]).find((c) => c.type === type);

describe("an MCPAuthzConfig named by spec.incomingAuth.authzConfigRef", () => {
  it("becomes the runtime's Cedar authz: policies, entities and claim mapping, the reference gone", () => {
    const plan = planOf();
    expect(writtenConfig(plan).incomingAuth).toEqual({
      type: "anonymous",
      authz: {
        type: "cedar",
        policies: [POLICY],
        entitiesJson: ENTITIES,
        groupClaimName: "https://example.com/groups",
        roleClaimName: "roles",
        groupEntityType: "Team",
      },
    });
    expect(condition(plan, "AuthzConfigRefValidated")).toMatchObject({
      status: "True",
      reason: "AuthzConfigRefValid",
      message: "MCPAuthzConfig shared is valid and ready",
    });
    expect(condition(plan, "Valid")?.status).toBe("True");
  });

  it("keeps a hash of its spec in status.authzConfigHash: the same for the same content, new for a new one", () => {
    const hash = planOf().status?.authzConfigHash as string;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = mcpAuthzConfig("shared", {
      spec: { config: { ...(usable.spec.config as object) }, type: "cedarv1" },
    });
    expect(planOf([reordered]).status?.authzConfigHash).toBe(hash);
    expect(
      planOf([shared({ policies: ["forbid(principal, action, resource);"] })]).status?.authzConfigHash,
    ).not.toBe(hash);
  });

  it("missing: Valid=False naming the field, AuthzConfigRefNotFound, nothing deployed", () => {
    const plan = planOf([], "gone");
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("blocked");
    expect(condition(plan, "Valid")?.message).toBe(
      'spec.incomingAuth.authzConfigRef.name: MCPAuthzConfig "gone" not found in namespace "tools"; create it or fix the name',
    );
    expect(condition(plan, "AuthzConfigRefValidated")).toMatchObject({
      status: "False",
      reason: "AuthzConfigRefNotFound",
    });
    expect(plan.status?.authzConfigHash).toBeUndefined();
    expect(plan.status?.phase).toBe("Failed");
  });

  it.each([
    [
      "a type other than cedarv1",
      shared({ http: { url: "https://pdp" } }, "httpv1"),
      'MCPAuthzConfig "shared" has type "httpv1", and a VirtualMCPServer can use only cedarv1 (the vMCP runtime authorizes with Cedar alone); reference a cedarv1 MCPAuthzConfig',
    ],
    [
      "no policy",
      shared({ policies: [] }),
      'MCPAuthzConfig "shared": spec.config.policies holds no Cedar policy; add at least one',
    ],
    [
      "a policy that is not a string",
      shared({ policies: [POLICY, { effect: "permit" }] }),
      'MCPAuthzConfig "shared": spec.config.policies[1] must be a policy written as a non-empty string',
    ],
    [
      "entities that are not JSON",
      shared({ policies: [POLICY], entities_json: "[{" }),
      'MCPAuthzConfig "shared": spec.config.entities_json is not a JSON array of Cedar entities; fix it or leave it out',
    ],
    [
      "a namespaced group entity type",
      shared({ policies: [POLICY], group_entity_type: "Platform::Group" }),
      'MCPAuthzConfig "shared": spec.config.group_entity_type must be a Cedar identifier without "::" (letters, digits and _, e.g. THVGroup)',
    ],
  ])(
    "with %s: AuthzConfigRefNotValid, the field and the fix named, nothing deployed",
    (_, config, message) => {
      const plan = planOf([config]);
      expect(plan.apply).toEqual([]);
      expect(condition(plan, "Valid")?.message).toBe(`spec.incomingAuth.authzConfigRef.name: ${message}`);
      expect(condition(plan, "AuthzConfigRefValidated")).toMatchObject({
        status: "False",
        reason: "AuthzConfigRefNotValid",
        message,
      });
    },
  );

  it("without a reference: no condition and no hash (an earlier one is dropped by the next apply)", () => {
    const plan = planReconcile(snapshot({ authzConfigs: [usable] }), {
      image: "example/vmcp:1",
      runtime: RUNTIME,
      now: NOW,
    });
    expect(condition(plan, "AuthzConfigRefValidated")).toBeUndefined();
    expect(plan.status?.authzConfigHash).toBeUndefined();
    expect(writtenConfig(plan).incomingAuth).toEqual({ type: "anonymous" });
  });
});

describe("the admission webhook on an authzConfigRef", () => {
  const request = AdmissionReview.parse(admissionReview("VirtualMCPServer", referencing())).request;
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { authzConfigs: new Map([["shared", looked]]) },
  });

  it("admits a reference to a usable one", () => {
    expect(decideValidation(request, lookups({ found: "found", object: usable })).allowed).toBe(true);
  });

  it("refuses a missing one, and an unusable one, with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.incomingAuth.authzConfigRef.name: MCPAuthzConfig "shared" not found in namespace "tools"; create it or fix the name',
    );
    const http = shared({ http: {} }, "httpv1");
    expect(decideValidation(request, lookups({ found: "found", object: http })).message).toContain(
      'spec.incomingAuth.authzConfigRef.name: MCPAuthzConfig "shared" has type "httpv1"',
    );
  });

  it("refuses when it cannot ask, unless failing open", () => {
    const unreachable = lookups({ found: { error: "HTTP 503 Service Unavailable" } });
    expect(decideValidation(request, unreachable).allowed).toBe(false);
    expect(decideValidation(request, unreachable, { failOpen: true }).allowed).toBe(true);
  });
});
