// Authorization ConfigMaps (spec.incomingAuth.authzConfig of type configMap): the authorization config
// under the key (JSON or YAML) written into the runtime's incomingAuth.authz, the spec's claim mapping over
// the ConfigMap's, and a missing or unusable ConfigMap reported as upstream reports it
// (AuthConfigured=False, AuthzConfigMapNotFound / AuthzConfigMapInvalid) with nothing deployed.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import type { Condition } from "../../../functions/core/kinds/kubernetes.ts";
import { type Plan, planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { cedarAuthzJson, configMap } from "../../../infra/local/test-kit/toolhive-objects.ts";

const POLICY = 'permit(principal, action == Action::"tools/call", resource);';
const authz = configMap("team-authz", {
  "authz.json": cedarAuthzJson([POLICY], { group_claim_name: "groups", role_claim_name: "roles" }),
});
const naming = (configMapRef: Record<string, unknown>, mapping: Record<string, string> = {}) =>
  vmcp({
    incomingAuth: {
      type: "anonymous",
      authzConfig: { type: "configMap", configMap: configMapRef, ...mapping },
    },
  });

const planOf = (vmcpObject = naming({ name: "team-authz", key: "authz.json" }), authzConfigMaps = [authz]) =>
  planReconcile(snapshot({ vmcp: vmcpObject, authzConfigMaps }), {
    image: "example/vmcp:1",
    runtime: RUNTIME,
    now: NOW,
  });

const writtenAuthz = (plan: Plan) => {
  const child = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as { data: Record<string, string> };
  return parse(child.data["config.yaml"] ?? "").incomingAuth.authz;
};
const condition = (plan: Plan, type: string) =>
  ((plan.status?.conditions ?? []) as Condition[]).find((c) => c.type === type);

describe("an authorization ConfigMap named by spec.incomingAuth.authzConfig", () => {
  it("becomes the runtime's Cedar authz, with the ConfigMap's claim mapping", () => {
    const plan = planOf();
    expect(writtenAuthz(plan)).toEqual({
      type: "cedar",
      policies: [POLICY],
      groupClaimName: "groups",
      roleClaimName: "roles",
    });
    expect(condition(plan, "AuthConfigured")).toMatchObject({ status: "True", reason: "AuthValid" });
    // Upstream keeps no hash for it: the policies are in config.yaml, whose checksum rolls the pod.
    expect(plan.status?.authzConfigHash).toBeUndefined();
  });

  it("reads YAML under another key, and the spec's claim mapping wins over the ConfigMap's", () => {
    const yaml = configMap("team-authz", {
      "policies.yaml": [
        'version: "1.0"',
        "type: cedarv1",
        "cedar:",
        "  policies:",
        `    - '${POLICY}'`,
        "  group_claim_name: groups",
        "  group_entity_type: Team",
      ].join("\n"),
    });
    const plan = planOf(naming({ name: "team-authz", key: "policies.yaml" }, { groupClaimName: "teams" }), [
      yaml,
    ]);
    expect(writtenAuthz(plan)).toEqual({
      type: "cedar",
      policies: [POLICY],
      groupClaimName: "teams",
      groupEntityType: "Team",
    });
  });

  it("reads the key authz.json when the spec names none, as ToolHive does", () => {
    expect(writtenAuthz(planOf(naming({ name: "team-authz" }))).policies).toEqual([POLICY]);
  });

  it("missing: AuthConfigured=False AuthzConfigMapNotFound, Valid=False naming the field, nothing deployed", () => {
    const plan = planOf(naming({ name: "gone" }), []);
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("blocked");
    const message =
      'spec.incomingAuth.authzConfig.configMap.name: ConfigMap "gone" not found in namespace "tools"; create it or fix the name';
    expect(condition(plan, "Valid")?.message).toBe(message);
    expect(condition(plan, "AuthConfigured")).toMatchObject({
      status: "False",
      reason: "AuthzConfigMapNotFound",
      message: `Authorization ConfigMap is invalid: ${message.split(": ")[1]}`,
    });
  });

  it.each([
    [
      "without the key",
      { "other.json": "{}" },
      'ConfigMap "team-authz" key "authz.json" is missing; add it, or set spec.incomingAuth.authzConfig.configMap.key to the key that holds the config',
    ],
    [
      "with the key empty",
      { "authz.json": "  " },
      'ConfigMap "team-authz" key "authz.json" is empty; write the authorization config there',
    ],
    [
      "with a payload neither JSON nor YAML",
      { "authz.json": '{"version": "1.0", "type": ' },
      'ConfigMap "team-authz" key "authz.json" is neither JSON nor YAML',
    ],
    [
      "without a version",
      { "authz.json": JSON.stringify({ type: "cedarv1", cedar: { policies: [POLICY] } }) },
      'ConfigMap "team-authz" key "authz.json" has no version; set version: "1.0"',
    ],
    [
      "of another authorizer",
      { "authz.json": JSON.stringify({ version: "1.0", type: "httpv1", http: { url: "https://pdp" } }) },
      'ConfigMap "team-authz" key "authz.json" has type "httpv1", and a VirtualMCPServer can use only cedarv1',
    ],
    [
      "without policies",
      { "authz.json": cedarAuthzJson([]) },
      'ConfigMap "team-authz" key "authz.json": cedar.policies holds no Cedar policy; add at least one',
    ],
  ])(
    "%s: AuthConfigured=False AuthzConfigMapInvalid, the fix named, nothing deployed",
    (_, data, message) => {
      const plan = planOf(undefined, [configMap("team-authz", data)]);
      expect(plan.apply).toEqual([]);
      expect(condition(plan, "Valid")?.message).toContain(
        `spec.incomingAuth.authzConfig.configMap.name: ${message}`,
      );
      expect(condition(plan, "AuthConfigured")).toMatchObject({
        status: "False",
        reason: "AuthzConfigMapInvalid",
      });
      expect(condition(plan, "AuthConfigured")?.message).toContain(
        `Authorization ConfigMap is invalid: ${message}`,
      );
    },
  );

  it("leaves a failure of the outgoing auth in AuthConfigured: the ConfigMap's own error is in Valid", () => {
    const both = vmcp({
      incomingAuth: { type: "anonymous", authzConfig: { type: "configMap", configMap: { name: "gone" } } },
      outgoingAuth: {
        source: "discovered",
        default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "x" } },
      },
    });
    const plan = planOf(both, []);
    expect(condition(plan, "AuthConfigured")?.reason).toBe("AuthInvalid");
    expect(condition(plan, "Valid")?.message).toContain('ConfigMap "gone" not found');
  });
});

describe("the admission webhook on an authorization ConfigMap", () => {
  const request = AdmissionReview.parse(
    admissionReview("VirtualMCPServer", naming({ name: "team-authz", key: "authz.json" })),
  ).request;
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { authzConfigMaps: new Map([["team-authz", looked]]) },
  });

  it("admits a usable one, refuses a missing or unusable one with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "found", object: authz })).allowed).toBe(true);
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.incomingAuth.authzConfig.configMap.name: ConfigMap "team-authz" not found in namespace "tools"; create it or fix the name',
    );
    const empty = configMap("team-authz", { "authz.json": cedarAuthzJson([]) });
    expect(decideValidation(request, lookups({ found: "found", object: empty })).message).toBe(
      'spec.incomingAuth.authzConfig.configMap.name: ConfigMap "team-authz" key "authz.json": cedar.policies holds no Cedar policy; add at least one',
    );
  });
});
