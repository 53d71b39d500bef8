// MCPTelemetryConfig references: the runtime's telemetry block as ToolHive's operator normalizes it (in
// place of any inline one), the pod's OTEL env, sensitive headers as secretKeyRef env and the CA bundle
// mounted; TelemetryConfigRefValidated with upstream's reasons; status.telemetryConfigHash over the spec.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { runtimeProfile } from "../../../functions/core/runtime/versions.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpTelemetryConfig } from "../../../infra/local/test-kit/toolhive-objects.ts";

type Conditions = { type: string; status: string; reason: string; message: string }[];
interface Container {
  env: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; configMap?: unknown }[];
}

const review = (kind: string, object: unknown) =>
  AdmissionReview.parse(admissionReview(kind, object)).request;
const otel = mcpTelemetryConfig("otel", {
  spec: {
    openTelemetry: {
      enabled: true,
      endpoint: "http://collector.monitoring:4318",
      headers: { "x-tenant": "team-a" },
      sensitiveHeaders: [{ name: "x-api-key", secretKeyRef: { name: "otel-creds", key: "api-key" } }],
      resourceAttributes: { "deployment.environment": "prod" },
      tracing: { enabled: true, samplingRate: "0.10" },
      metrics: { enabled: false },
      useLegacyAttributes: true,
      caBundleRef: { configMapRef: { name: "otel-ca" } },
    },
    prometheus: { enabled: true, metricsOnTransportPort: true },
  },
});
const withRef = (ref: Record<string, unknown> = { name: "otel" }, config?: Record<string, unknown>) =>
  vmcp({ telemetryConfigRef: ref, ...(config ? { config } : {}) } as Parameters<typeof vmcp>[0]);

function planOf(spec: ReturnType<typeof vmcp>, configs = [otel], runtime = RUNTIME) {
  const plan = planReconcile(snapshot({ vmcp: spec, telemetryConfigs: configs }), {
    image: "example/vmcp:1",
    runtime,
    now: NOW,
  });
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as
    | { data: Record<string, string> }
    | undefined;
  const deployment = plan.apply.find((c) => c.kind === "Deployment") as unknown as
    | { spec: { template: { spec: PodSpec } } }
    | undefined;
  return {
    plan,
    config: configMap ? parse(configMap.data["config.yaml"] ?? "") : undefined,
    pod: deployment?.spec.template.spec,
  };
}

const conditionOf = (plan: ReturnType<typeof planOf>["plan"], type: string) =>
  ((plan.status?.conditions ?? []) as Conditions).find((c) => c.type === type);

describe("an MCPTelemetryConfig named by spec.telemetryConfigRef", () => {
  it("becomes the runtime's telemetry block as upstream normalizes it, the inline one ignored", () => {
    const { plan, config } = planOf(
      withRef({ name: "otel", serviceName: "team-vmcp" }, { telemetry: { endpoint: "inline:4318" } }),
    );
    expect(config?.telemetry).toEqual({
      endpoint: "collector.monitoring:4318",
      serviceName: "team-vmcp",
      tracingEnabled: true,
      metricsEnabled: false,
      samplingRate: "0.1",
      headers: { "x-tenant": "team-a" },
      enablePrometheusMetricsPath: true,
      metricsOnTransportPort: true,
      customAttributes: { "deployment.environment": "prod" },
      useLegacyAttributes: true,
      caCertPath: "/config/certs/otel/otel-ca/ca.crt",
    });
    expect(conditionOf(plan, "TelemetryConfigRefValidated")).toMatchObject({
      status: "True",
      reason: "TelemetryConfigRefValid",
      message: "MCPTelemetryConfig otel is valid",
    });
  });

  it("with OpenTelemetry off, only Prometheus and the service name (the VirtualMCPServer's by default)", () => {
    const prometheus = mcpTelemetryConfig("otel", {
      spec: { openTelemetry: { enabled: false, insecure: true }, prometheus: { enabled: true } },
    });
    expect(planOf(withRef(), [prometheus]).config?.telemetry).toEqual({
      serviceName: "team",
      tracingEnabled: false,
      metricsEnabled: false,
      enablePrometheusMetricsPath: true,
      useLegacyAttributes: false,
    });
  });

  it("leaves out what the runtime of the deployed version does not know", () => {
    const v044 = runtimeProfile("example/vmcp:v0.44.0");
    expect(planOf(withRef(), [otel], v044).config?.telemetry).not.toHaveProperty("metricsOnTransportPort");
  });

  it("gives the pod its resource attributes, sensitive headers from their Secret, and the CA bundle", () => {
    const { pod } = planOf(withRef({ name: "otel", serviceName: "team-vmcp" }));
    const env = pod?.containers[0]?.env ?? [];
    expect(env).toContainEqual({
      name: "OTEL_RESOURCE_ATTRIBUTES",
      value: "service.name=team-vmcp,service.namespace=tools",
    });
    expect(env).toContainEqual({
      name: "TOOLHIVE_OTEL_HEADER_X_API_KEY",
      valueFrom: { secretKeyRef: { name: "otel-creds", key: "api-key" } },
    });
    expect(pod?.volumes).toContainEqual({
      name: "otel-ca-bundle-otel-ca",
      configMap: { name: "otel-ca", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "otel-ca-bundle-otel-ca",
      mountPath: "/config/certs/otel/otel-ca",
      readOnly: true,
    });
  });

  it("hashes the spec into status.telemetryConfigHash, whatever the order of its keys", () => {
    const reordered = mcpTelemetryConfig("otel", {
      spec: { prometheus: otel.spec.prometheus, openTelemetry: otel.spec.openTelemetry },
    });
    const hash = planOf(withRef()).plan.status?.telemetryConfigHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(planOf(withRef(), [reordered]).plan.status?.telemetryConfigHash).toBe(hash);
    const changed = mcpTelemetryConfig("otel", {
      spec: { openTelemetry: undefined, prometheus: { enabled: false } },
    });
    expect(planOf(withRef(), [changed]).plan.status?.telemetryConfigHash).toBe(
      createHash("sha256").update('{"prometheus":{"enabled":false}}').digest("hex"),
    );
  });

  it("without a reference: no condition, no hash, the inline telemetry as written", () => {
    const { plan, config } = planOf(vmcp({ config: { telemetry: { endpoint: "inline:4318" } } }));
    expect(config?.telemetry).toEqual({ endpoint: "inline:4318" });
    expect(conditionOf(plan, "TelemetryConfigRefValidated")).toBeUndefined();
    expect(plan.status).not.toHaveProperty("telemetryConfigHash");
  });

  it("missing: Valid=False naming the field, TelemetryConfigRefNotFound, and nothing is deployed", () => {
    const { plan } = planOf(withRef({ name: "gone" }));
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("blocked");
    expect(conditionOf(plan, "Valid")?.message).toBe(
      'spec.telemetryConfigRef.name: MCPTelemetryConfig "gone" not found in namespace "tools"; create it or fix the name',
    );
    expect(conditionOf(plan, "TelemetryConfigRefValidated")).toMatchObject({
      status: "False",
      reason: "TelemetryConfigRefNotFound",
      message: "MCPTelemetryConfig gone not found",
    });
  });

  it.each([
    [
      { openTelemetry: { enabled: true, endpoint: "c:4318" } },
      "openTelemetry.endpoint is set but neither tracing nor metrics is enabled",
    ],
    [
      {
        openTelemetry: {
          headers: { "x-key": "v" },
          sensitiveHeaders: [{ name: "x-key", secretKeyRef: { name: "s", key: "k" } }],
        },
      },
      'header "x-key" appears in both headers and sensitiveHeaders',
    ],
    [
      { openTelemetry: { sensitiveHeaders: [{ name: "x-key", secretKeyRef: { name: "s" } }] } },
      "openTelemetry.sensitiveHeaders[0].secretKeyRef.key must not be empty",
    ],
    [
      { openTelemetry: { insecure: true, caBundleRef: { configMapRef: { name: "ca" } } } },
      "openTelemetry.caBundleRef cannot be specified when insecure is true",
    ],
    [
      { openTelemetry: { tracing: { samplingRate: "most" } } },
      'openTelemetry.tracing.samplingRate "most" is not a number between 0 and 1',
    ],
    [{ prometheus: { enabled: "yes" } }, "prometheus.enabled: Invalid input: expected boolean"],
  ])("refuses a config upstream's Validate refuses: %j", (spec, problem) => {
    const { plan } = planOf(withRef(), [mcpTelemetryConfig("otel", { spec })]);
    expect(plan.apply).toEqual([]);
    expect(conditionOf(plan, "Valid")?.message).toContain(
      `spec.telemetryConfigRef.name: MCPTelemetryConfig "otel" is invalid: spec.${problem}`,
    );
    expect(conditionOf(plan, "TelemetryConfigRefValidated")).toMatchObject({
      status: "False",
      reason: "TelemetryConfigRefInvalid",
    });
  });

  it("refuses a reference without a name before looking anything up", () => {
    const { plan } = planOf(withRef({ serviceName: "x" }));
    expect(plan.outcome).toBe("invalid");
    expect(conditionOf(plan, "Valid")?.message).toContain(
      "spec.telemetryConfigRef.name: required; name an MCPTelemetryConfig in the same namespace",
    );
  });
});

describe("the admission webhook on spec.telemetryConfigRef", () => {
  const request = review("VirtualMCPServer", withRef());
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { telemetryConfigs: new Map([["otel", looked]]) },
  });

  it("admits a reference to a valid config", () => {
    expect(decideValidation(request, lookups({ found: "found", object: otel })).allowed).toBe(true);
  });

  it("refuses a missing or invalid one with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.telemetryConfigRef.name: MCPTelemetryConfig "otel" not found in namespace "tools"; create it or fix the name',
    );
    const invalid = mcpTelemetryConfig("otel", {
      spec: { openTelemetry: { enabled: true, endpoint: "c:4318" } },
    });
    expect(decideValidation(request, lookups({ found: "found", object: invalid })).message).toContain(
      "neither tracing nor metrics is enabled",
    );
  });
});
