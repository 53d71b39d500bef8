// MCPOIDCConfig references: resolved into the runtime's incomingAuth.oidc as ToolHive's operator resolves
// them, the client secret as a secretKeyRef env and the CA bundle as a mounted ConfigMap; a missing or
// invalid one refuses the spec (fail closed), with upstream's OIDCConfigRefValidated condition.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, staticVmcp, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpOIDCConfig } from "../../../infra/local/test-kit/toolhive-objects.ts";

type Spec = Record<string, unknown>;
type Condition = { type: string; status: string; reason: string; message: string };

const corporate = (spec: Spec = {}) =>
  mcpOIDCConfig("corp", {
    spec: {
      type: "inline",
      inline: {
        issuer: "https://auth.example.com",
        clientId: "vmcp",
        clientSecretRef: { name: "idp-client", key: "secret" },
        caBundleRef: { configMapRef: { name: "idp-ca", key: "ca.pem" } },
        jwksAllowPrivateIP: true,
      },
      ...spec,
    },
  });
const cluster = (account: Spec = {}) =>
  mcpOIDCConfig("corp", {
    spec: { type: "kubernetesServiceAccount", kubernetesServiceAccount: account, inline: undefined },
  });

const oidcRef = (ref: Spec = {}): Partial<VirtualMCPServer["spec"]> => ({
  incomingAuth: {
    type: "oidc",
    oidcConfigRef: { name: "corp", audience: "vmcp-api", ...ref },
    authzConfig: { type: "inline", inline: { policies: ["permit(principal, action, resource);"] } },
  } as VirtualMCPServer["spec"]["incomingAuth"],
});

function planOf(configs: unknown[], server = vmcp(oidcRef())) {
  return planReconcile(snapshot({ vmcp: server, oidcConfigs: configs as never }), {
    image: "example/vmcp:1",
    runtime: RUNTIME,
    now: NOW,
  });
}

const written = (plan: ReturnType<typeof planOf>) => {
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return parse(configMap.data["config.yaml"] ?? "");
};
const podSpec = (plan: ReturnType<typeof planOf>) =>
  (plan.apply.find((c) => c.kind === "Deployment") as any).spec.template.spec;
const conditionOf = (plan: ReturnType<typeof planOf>) =>
  ((plan.status?.conditions ?? []) as Condition[]).find((c) => c.type === "OIDCConfigRefValidated");
const validOf = (plan: ReturnType<typeof planOf>) =>
  ((plan.status?.conditions ?? []) as Condition[]).find((c) => c.type === "Valid");

describe("an inline MCPOIDCConfig named by incomingAuth.oidcConfigRef", () => {
  const plan = planOf([corporate()]);

  it("becomes the runtime's incomingAuth.oidc, beside the spec's authz", () => {
    expect(written(plan).incomingAuth).toEqual({
      type: "oidc",
      oidc: {
        issuer: "https://auth.example.com",
        clientId: "vmcp",
        clientSecretEnv: "VMCP_OIDC_CLIENT_SECRET",
        audience: "vmcp-api",
        resource: "http://vmcp-team.tools.svc.cluster.local:4483",
        jwksAllowPrivateIp: true,
        caBundlePath: "/config/certs/idp-ca/ca.pem",
      },
      authz: { type: "cedar", policies: ["permit(principal, action, resource);"] },
    });
  });

  it("gives the pod the client secret as a secretKeyRef env and the CA bundle as a mounted ConfigMap", () => {
    const pod = podSpec(plan);
    const container = pod.containers[0];
    expect(container.env).toContainEqual({
      name: "VMCP_OIDC_CLIENT_SECRET",
      valueFrom: { secretKeyRef: { name: "idp-client", key: "secret" } },
    });
    expect(container.volumeMounts).toContainEqual({
      name: "oidc-ca-bundle-idp-ca",
      mountPath: "/config/certs/idp-ca",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "oidc-ca-bundle-idp-ca",
      configMap: { name: "idp-ca", items: [{ key: "ca.pem", path: "ca.pem" }] },
    });
  });

  it("says OIDCConfigRefValidated=True and keeps a hash of its spec in status.oidcConfigHash", () => {
    expect(conditionOf(plan)).toMatchObject({ status: "True", reason: "OIDCConfigRefValid" });
    expect(plan.status?.oidcConfigHash).toMatch(/^[0-9a-f]{64}$/);
    // The same content in another key order is the same hash; another issuer is another.
    const reordered = corporate();
    reordered.spec = Object.fromEntries(Object.entries(reordered.spec).reverse()) as typeof reordered.spec;
    expect(planOf([reordered]).status?.oidcConfigHash).toBe(plan.status?.oidcConfigHash);
    const moved = corporate({
      inline: { ...(corporate().spec.inline as Spec), issuer: "https://idp2.example.com" },
    });
    expect(planOf([moved]).status?.oidcConfigHash).not.toBe(plan.status?.oidcConfigHash);
  });

  it("takes scopes and the resource URL from the reference", () => {
    const oidc = written(
      planOf(
        [corporate()],
        vmcp(oidcRef({ scopes: ["openid", "profile"], resourceUrl: "https://mcp.example.com" })),
      ),
    ).incomingAuth.oidc;
    expect(oidc.scopes).toEqual(["openid", "profile"]);
    expect(oidc.resource).toBe("https://mcp.example.com");
  });

  it("writes no client secret env and no CA mount when it has neither", () => {
    const bare = mcpOIDCConfig("corp");
    const pod = podSpec(planOf([bare]));
    expect(JSON.stringify(pod)).not.toContain("VMCP_OIDC_CLIENT_SECRET");
    expect(JSON.stringify(pod)).not.toContain("oidc-ca-bundle");
    expect(written(planOf([bare])).incomingAuth.oidc).toEqual({
      issuer: "https://auth.example.com",
      clientId: "vmcp",
      audience: "vmcp-api",
      resource: "http://vmcp-team.tools.svc.cluster.local:4483",
    });
  });
});

describe("a kubernetesServiceAccount MCPOIDCConfig", () => {
  it("defaults to the cluster's issuer and CA, JWKS on a private address allowed", () => {
    expect(written(planOf([cluster()])).incomingAuth.oidc).toEqual({
      issuer: "https://kubernetes.default.svc",
      audience: "vmcp-api",
      resource: "http://vmcp-team.tools.svc.cluster.local:4483",
      jwksAllowPrivateIp: true,
      caBundlePath: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
    });
  });

  it("without useClusterAuth: its own issuer and URLs, no cluster CA", () => {
    const oidc = written(
      planOf([
        cluster({ useClusterAuth: false, issuer: "https://oidc.eks.example", jwksUrl: "https://k/jwks" }),
      ]),
    ).incomingAuth.oidc;
    expect(oidc).toEqual({
      issuer: "https://oidc.eks.example",
      audience: "vmcp-api",
      resource: "http://vmcp-team.tools.svc.cluster.local:4483",
      jwksUrl: "https://k/jwks",
    });
  });

  it("in static mode, where the pod has no token, mounts the cluster CA where the runtime reads it", () => {
    const pod = podSpec(planOf([cluster()], staticVmcp(oidcRef())));
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toContainEqual({
      name: "oidc-cluster-ca",
      configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "oidc-cluster-ca",
      mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
      readOnly: true,
    });
    // In dynamic mode the kubelet's own service account volume is there.
    expect(JSON.stringify(podSpec(planOf([cluster()])))).not.toContain("kube-root-ca.crt");
  });
});

describe("an MCPOIDCConfig that cannot be used", () => {
  it("missing: Valid=False naming the field, OIDCConfigRefNotFound, nothing deployed", () => {
    const plan = planOf([]);
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("blocked");
    expect(validOf(plan)?.message).toBe(
      'spec.incomingAuth.oidcConfigRef.name: MCPOIDCConfig "corp" not found in namespace "tools"; create it or fix the name',
    );
    expect(conditionOf(plan)).toMatchObject({ status: "False", reason: "OIDCConfigRefNotFound" });
    expect(plan.status?.oidcConfigHash).toBeUndefined();
  });

  it("invalid: Valid=False naming its field and the fix, OIDCConfigRefNotValid, nothing deployed", () => {
    const plan = planOf([corporate({ inline: { issuer: "http://auth.example.com" } })]);
    expect(plan.apply).toEqual([]);
    expect(validOf(plan)?.message).toBe(
      'spec.incomingAuth.oidcConfigRef.name: MCPOIDCConfig "corp" spec.inline.issuer: "http://auth.example.com" uses http, which is insecure; use https, or set spec.inline.insecureAllowHTTP: true for development only',
    );
    expect(conditionOf(plan)).toMatchObject({ status: "False", reason: "OIDCConfigRefNotValid" });
  });

  it("http is accepted with insecureAllowHTTP, and said so to the runtime", () => {
    const plan = planOf([
      corporate({ inline: { issuer: "http://idp.local:8080", insecureAllowHTTP: true } }),
    ]);
    expect(written(plan).incomingAuth.oidc).toMatchObject({
      issuer: "http://idp.local:8080",
      insecureAllowHttp: true,
    });
  });

  it("an audience-less reference is a spec error, whatever the MCPOIDCConfig", () => {
    const plan = planOf([corporate()], vmcp(oidcRef({ audience: undefined })));
    expect(plan.outcome).toBe("invalid");
    expect(validOf(plan)?.message).toContain("spec.incomingAuth.oidcConfigRef.audience: required;");
  });
});

describe("the admission webhook on incomingAuth.oidcConfigRef", () => {
  const request = AdmissionReview.parse(admissionReview("VirtualMCPServer", vmcp(oidcRef()))).request;
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { toolConfigs: new Map(), oidcConfigs: new Map([["corp", looked]]) },
  });

  it("admits a reference to a usable one", () => {
    expect(decideValidation(request, lookups({ found: "found", object: corporate() }))).toEqual({
      allowed: true,
      warnings: [],
    });
  });

  it("refuses a missing one with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.incomingAuth.oidcConfigRef.name: MCPOIDCConfig "corp" not found in namespace "tools"; create it or fix the name',
    );
  });

  it("refuses an invalid one with the reconcile's words", () => {
    const invalid = corporate({ inline: { issuer: "http://auth.example.com" } });
    expect(decideValidation(request, lookups({ found: "found", object: invalid })).message).toBe(
      validOf(planOf([invalid]))?.message,
    );
  });

  it("refuses when it cannot ask, unless failing open", () => {
    const unreachable = lookups({ found: { error: "HTTP 503 Service Unavailable" } });
    expect(decideValidation(request, unreachable).message).toContain(
      'MCPOIDCConfig "corp" could not be verified (HTTP 503 Service Unavailable)',
    );
    expect(decideValidation(request, unreachable, { failOpen: true }).allowed).toBe(true);
  });
});
