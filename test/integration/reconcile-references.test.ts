// Kinds a VirtualMCPServer references by name, read from the real API server (crds/ serves them): the
// reconcile's snapshot fetches the VirtualMCPCompositeToolDefinitions and the MCPTelemetryConfig the spec
// names, resolves them into config.yaml, the pod and status, follows their changes, and refuses the spec
// when one is gone; the admission lookups find them where the reconcile does.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lookUp } from "../../functions/admission/lookups.ts";
import { AdmissionReview } from "../../functions/core/admission/review.ts";
import { decideValidation } from "../../functions/core/admission/validate.ts";
import { deleteObject, getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import {
  compositeToolDefinition,
  mcpGroup,
  mcpTelemetryConfig,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("references");
const kc = () => kubeConfig();
const IMAGE = "example/vmcp:v0.47.0";
type Any = Record<string, any>;
const get = async (kind: Parameters<typeof getObject>[1], name: string) =>
  (await getObject(kc(), kind, namespace.name, name)) as Any;

const VMCP = virtualMCPServer("refs-vmcp", {
  group: "refs-group",
  spec: {
    config: { compositeToolRefs: [{ name: "deploy" }] },
    telemetryConfigRef: { name: "otel", serviceName: "refs" },
  } as Any,
});
const OTEL = mcpTelemetryConfig("otel", {
  spec: {
    openTelemetry: {
      enabled: true,
      endpoint: "https://collector:4318",
      metrics: { enabled: true },
      sensitiveHeaders: [{ name: "x-api-key", secretKeyRef: { name: "otel", key: "key" } }],
    },
  },
});

async function written() {
  const configMap = await get("ConfigMap", "refs-vmcp-vmcp-config");
  const deployment = await get("Deployment", "refs-vmcp");
  return {
    config: parse(configMap.data["config.yaml"]),
    env: deployment.spec.template.spec.containers[0].env as Any[],
    vmcp: await get("VirtualMCPServer", "refs-vmcp"),
  };
}

const condition = (vmcp: Any, type: string) => vmcp.status.conditions.find((c: Any) => c.type === type);

describe("referenced kinds against the real API server", () => {
  it("resolves the composite tool definitions and the telemetry config the spec names", async () => {
    await userApply(
      kc(),
      namespace.name,
      mcpGroup("refs-group"),
      compositeToolDefinition("deploy"),
      OTEL,
      VMCP,
    );
    const result = await reconcileOne(kc(), namespace.name, "refs-vmcp", { image: IMAGE });
    expect(result).toMatchObject({ outcome: "ok", statusWritten: true });

    const { config, env, vmcp } = await written();
    expect(config.compositeTools.map((t: Any) => t.name)).toEqual(["deploy"]);
    expect(config).not.toHaveProperty("compositeToolRefs");
    expect(config.telemetry).toMatchObject({
      endpoint: "collector:4318",
      serviceName: "refs",
      metricsEnabled: true,
    });
    expect(env).toContainEqual({
      name: "TOOLHIVE_OTEL_HEADER_X_API_KEY",
      valueFrom: { secretKeyRef: { name: "otel", key: "key" } },
    });
    expect(vmcp.status.telemetryConfigHash).toMatch(/^[0-9a-f]{64}$/);
    expect(condition(vmcp, "CompositeToolRefsValidated")).toMatchObject({ status: "True" });
    expect(condition(vmcp, "TelemetryConfigRefValidated")).toMatchObject({ status: "True" });
  });

  it("follows a change of a definition into config.yaml", async () => {
    await userApply(kc(), namespace.name, compositeToolDefinition("deploy", { spec: { name: "deploy_v2" } }));
    await reconcileOne(kc(), namespace.name, "refs-vmcp", { image: IMAGE });
    expect((await written()).config.compositeTools.map((t: Any) => t.name)).toEqual(["deploy_v2"]);
  });

  it("refuses the spec once the telemetry config is gone, and so does the webhook", async () => {
    await deleteObject(kc(), "MCPTelemetryConfig", namespace.name, "otel");
    const result = await reconcileOne(kc(), namespace.name, "refs-vmcp", { image: IMAGE });
    expect(result.outcome).toBe("blocked");
    const vmcp = await get("VirtualMCPServer", "refs-vmcp");
    expect(condition(vmcp, "Valid")).toMatchObject({ status: "False" });
    expect(condition(vmcp, "TelemetryConfigRefValidated")).toMatchObject({
      status: "False",
      reason: "TelemetryConfigRefNotFound",
    });

    const request = AdmissionReview.parse(
      admissionReview("VirtualMCPServer", {
        ...VMCP,
        metadata: { ...VMCP.metadata, namespace: namespace.name },
      }),
    ).request;
    const decision = decideValidation(request, await lookUp(kc(), request));
    expect(decision.allowed).toBe(false);
    expect(decision.message).toBe(
      `spec.telemetryConfigRef.name: MCPTelemetryConfig "otel" not found in namespace "${namespace.name}"; create it or fix the name`,
    );
  });
});
