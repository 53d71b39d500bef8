// Every kind a VirtualMCPServer references by name (core/references), through the real chain on the real
// API server: the user's write goes through the admission webhook, its change hint through the router, and
// the reconcile it asks for. For each kind: the referenced object shapes the configuration, a change to it
// reaches the VirtualMCPServer and rolls the pod template, nothing is written in steady state, and deleting
// it turns the VirtualMCPServer Valid=False naming it. A kind added to the table without a scenario here
// does not type-check.
import type { EventBridgeEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeHint, ReconcileRequest } from "../../functions/core/delivery/change-hint.ts";
import type { Condition } from "../../functions/core/kinds/kubernetes.ts";
import { RUNCONFIG_CHECKSUM } from "../../functions/core/kinds/names.ts";
import type { Kind } from "../../functions/core/kinds/resources.ts";
import type { ReferenceField } from "../../functions/core/references/references.ts";
import { deleteObject, getObject } from "../../functions/kube/api.ts";
import { routerHandler } from "../../functions/reconcile/hint-router.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { countRequests, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { silentObservability } from "../../infra/local/test-kit/lambda.ts";
import {
  cedarAuthzJson,
  compositeToolDefinition,
  configMap,
  embeddingServer,
  mcpAuthzConfig,
  mcpGroup,
  mcpOIDCConfig,
  mcpTelemetryConfig,
  mcpToolConfig,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";
import { serveWebhooks, type Webhooks } from "./webhook-server.ts";

const namespace = useNamespace("referenced");
const ns = () => namespace.name;
const IMAGE = "example/vmcp:v0.47.0";

type Manifest = Parameters<typeof userApply>[2];

/** One referenced kind in use: the object, how the VirtualMCPServer names it, and a change to it. */
interface Scenario {
  readonly kind: Kind;
  readonly name: string;
  /** The object as the user applies it. */
  readonly object: Manifest;
  /** The status its own controller (ToolHive's) reports, where the reconcile reads it. */
  readonly status?: Record<string, unknown>;
  /** Spec fields of the VirtualMCPServer that reference it. */
  readonly spec: Record<string, unknown>;
  /** A change that changes what the runtime gets: applied by the user, or reported by its controller. */
  readonly change: { readonly object?: Manifest; readonly status?: Record<string, unknown> };
}

const EMBED_URL = (port: number) => `http://embed.${ns()}.svc.cluster.local:${port}`;

const SCENARIOS: () => Record<ReferenceField, Scenario> = () => ({
  toolConfigs: {
    kind: "MCPToolConfig",
    name: "filter",
    object: mcpToolConfig("filter", { spec: { toolsFilter: ["echo"] } }),
    spec: { config: { aggregation: { tools: [{ workload: "alpha", toolConfigRef: { name: "filter" } }] } } },
    change: { object: mcpToolConfig("filter", { spec: { toolsFilter: ["echo", "add"] } }) },
  },
  oidcConfigs: {
    kind: "MCPOIDCConfig",
    name: "idp",
    object: mcpOIDCConfig("idp", {
      spec: { inline: { issuer: "https://idp.example.com", clientId: "vmcp" } },
    }),
    spec: { incomingAuth: { type: "oidc", oidcConfigRef: { name: "idp", audience: "vmcp" } } },
    change: {
      object: mcpOIDCConfig("idp", {
        spec: { inline: { issuer: "https://idp2.example.com", clientId: "vmcp" } },
      }),
    },
  },
  telemetryConfigs: {
    kind: "MCPTelemetryConfig",
    name: "otel",
    object: mcpTelemetryConfig("otel"),
    spec: { telemetryConfigRef: { name: "otel" } },
    change: {
      object: mcpTelemetryConfig("otel", {
        spec: { openTelemetry: { enabled: true, endpoint: "collector-2:4318", tracing: { enabled: true } } },
      }),
    },
  },
  compositeToolDefinitions: {
    kind: "VirtualMCPCompositeToolDefinition",
    name: "greet",
    object: compositeToolDefinition("greet"),
    spec: { config: { compositeToolRefs: [{ name: "greet" }] } },
    change: { object: compositeToolDefinition("greet", { spec: { description: "Greets, now politely" } }) },
  },
  authzConfigs: {
    kind: "MCPAuthzConfig",
    name: "policy",
    object: mcpAuthzConfig("policy"),
    spec: { incomingAuth: { type: "anonymous", authzConfigRef: { name: "policy" } } },
    change: {
      object: mcpAuthzConfig("policy", {
        spec: { type: "cedarv1", config: { policies: ["permit(principal, action, resource);"] } },
      }),
    },
  },
  authzConfigMaps: {
    kind: "ConfigMap",
    name: "authz-cm",
    object: configMap("authz-cm", {
      "authz.json": cedarAuthzJson(['permit(principal, action == Action::"tools/list", resource);']),
    }),
    spec: {
      incomingAuth: {
        type: "anonymous",
        authzConfig: { type: "configMap", configMap: { name: "authz-cm" } },
      },
    },
    change: {
      object: configMap("authz-cm", {
        "authz.json": cedarAuthzJson(["permit(principal, action, resource);"]),
      }),
    },
  },
  embeddingServer: {
    kind: "EmbeddingServer",
    name: "embed",
    object: embeddingServer("embed"),
    status: { phase: "Ready", readyReplicas: 1, url: EMBED_URL(8080) },
    spec: { embeddingServerRef: { name: "embed" } },
    change: { status: { url: EMBED_URL(9090) } },
  },
});

let webhooks: Webhooks;
beforeAll(async () => {
  webhooks = await serveWebhooks(ns());
  await userApply(kubeConfig(), ns(), mcpGroup("team"));
}, 60_000);
afterAll(async () => {
  await webhooks?.stop();
});

/** The hints published since `from`, routed as the router Lambda routes them: the reconciles they ask for. */
async function routed(from: number): Promise<ReconcileRequest[]> {
  const requests: ReconcileRequest[] = [];
  const router = routerHandler({
    ...silentObservability(),
    kubeConfig: async () => kubeConfig(),
    send: async (batch) => {
      requests.push(...batch);
    },
  });
  for (const hint of webhooks.publisher.hints.slice(from))
    await router({ id: "hint", detail: hint } as EventBridgeEvent<string, ChangeHint>);
  return requests;
}

const reconcile = (name: string) => reconcileOne(kubeConfig(), ns(), name, { image: IMAGE });

const podChecksum = async (name: string) =>
  (
    (await getObject(kubeConfig(), "Deployment", ns(), name)) as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    }
  ).spec.template.metadata.annotations[RUNCONFIG_CHECKSUM];

const validOf = async (name: string) =>
  (
    (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as {
      status: { conditions: Condition[] };
    }
  ).status.conditions.find((c) => c.type === "Valid");

describe.each(Object.entries(SCENARIOS()) as [ReferenceField, Scenario][])("referenced %s", (field) => {
  const vmcpName = `uses-${field.toLowerCase()}`;
  // Built inside the tests: the namespace's name is known only then.
  const scenario = () => SCENARIOS()[field];

  it("shapes the configuration, and a steady state writes nothing", async () => {
    const { kind, name, object, status, spec } = scenario();
    await userApply(kubeConfig(), ns(), object);
    if (status) await patchStatus(kubeConfig(), kind, ns(), name, status);
    const from = webhooks.publisher.hints.length;
    await userApply(kubeConfig(), ns(), virtualMCPServer(vmcpName, { group: "team", spec }));
    const requests = await routed(from);
    expect(requests.map((r) => r.name)).toContain(vmcpName);
    expect((await reconcile(vmcpName)).outcome).toBe("ok");
    expect(await validOf(vmcpName)).toMatchObject({ status: "True" });
    const steady = await countRequests(kubeConfig(), () => reconcile(vmcpName));
    expect(steady.writes).toBe(0);
  });

  it("a change to it reaches the VirtualMCPServer through a hint and rolls the pod template", async () => {
    const { kind, name, change } = scenario();
    const before = await podChecksum(vmcpName);
    const from = webhooks.publisher.hints.length;
    if (change.object) await userApply(kubeConfig(), ns(), change.object);
    if (change.status) await patchStatus(kubeConfig(), kind, ns(), name, change.status);
    const requests = await routed(from);
    // Exactly the VirtualMCPServer that names it, not the others of the namespace.
    expect([...new Set(requests.map((r) => r.name))]).toEqual([vmcpName]);
    await reconcile(vmcpName);
    expect(await podChecksum(vmcpName)).not.toBe(before);
  });

  it("deleting it turns the VirtualMCPServer Valid=False, naming it", async () => {
    const { kind, name } = scenario();
    const from = webhooks.publisher.hints.length;
    await deleteObject(kubeConfig(), kind, ns(), name);
    const requests = await routed(from);
    expect(requests.map((r) => r.name)).toContain(vmcpName);
    const result = await reconcile(vmcpName);
    expect(result.outcome).toBe("blocked");
    const valid = await validOf(vmcpName);
    expect(valid?.status).toBe("False");
    expect(valid?.message).toContain(`${kind} "${name}" not found in namespace "${ns()}"`);
  });
});
