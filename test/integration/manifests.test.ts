// ToolHive-style manifests against the real API server: the examples are accepted as written, and the
// mistakes a CRD can catch by itself are refused with a message that names the field.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubeConfig, kubectl, useNamespace } from "./cluster.ts";

const namespace = useNamespace("manifests");
const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

type Manifest = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
const examples = exampleFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(join(EXAMPLES, file), "utf8")).map((d) => d.toJS() as Manifest),
);

describe("example manifests", () => {
  it("cover every feature the foundation promises", () => {
    const vmcps = examples.filter((m) => m.kind === "VirtualMCPServer").map((m) => JSON.stringify(m.spec));
    expect(vmcps.length).toBeGreaterThanOrEqual(8);
    for (const feature of [
      /"source":"discovered"/,
      /"source":"inline"/,
      /"type":"anonymous"/,
      /"type":"oidc"/,
      /"conflictResolution":"prefix"/,
      /"conflictResolution":"priority"/,
      /"conflictResolution":"manual"/,
      /"podTemplateSpec"/,
      /"serviceType":"(LoadBalancer|NodePort)"/,
    ]) {
      expect(
        vmcps.some((spec) => feature.test(spec)),
        String(feature),
      ).toBe(true);
    }
  });

  it("are all accepted by the API server, strict field validation included", async () => {
    const applied = kubectl(["apply", "--validate=strict", "-n", namespace.name, "-f", EXAMPLES]);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    const objects = kubeConfig().makeApiClient(CustomObjectsApi);
    const stored = (await objects.listNamespacedCustomObject({
      group: "toolhive.stacklok.dev",
      version: "v1beta1",
      namespace: namespace.name,
      plural: "virtualmcpservers",
    })) as { items: Manifest[] };
    const expected = examples.filter((m) => m.kind === "VirtualMCPServer").map((m) => m.metadata.name);
    expect(stored.items.map((i) => i.metadata.name).sort()).toEqual(expected.sort());
    // Pass-through subtrees keep what the user wrote.
    const platform = stored.items.find((i) => i.metadata.name === "platform-vmcp");
    expect(platform?.spec?.podTemplateSpec).toMatchObject({
      spec: { nodeSelector: { "kubernetes.io/arch": "arm64" } },
    });
  });
});

const vmcp = (name: string, spec: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: ${name} }
spec: ${spec}`;
const valid = "groupRef: { name: g }, incomingAuth: { type: anonymous }";
const toolhive = (kind: string, name: string, version = "v1beta1") =>
  `apiVersion: toolhive.stacklok.dev/${version}\nkind: ${kind}\nmetadata: { name: ${name} }`;

describe("invalid manifests are refused with the field named", () => {
  it.each([
    [
      "a bad enum",
      vmcp("bad-enum", `{ ${valid}, serviceType: Public }`),
      ['spec.serviceType: Unsupported value: "Public"'],
    ],
    [
      "a missing groupRef.name",
      vmcp("no-group", "{ groupRef: {}, incomingAuth: { type: anonymous } }"),
      ["spec.groupRef.name: Required value"],
    ],
    [
      "a missing groupRef",
      vmcp("no-group-ref", "{ incomingAuth: { type: anonymous } }"),
      ["spec.groupRef: Required value"],
    ],
    [
      "OIDC without its reference",
      vmcp("oidc-no-ref", "{ groupRef: { name: g }, incomingAuth: { type: oidc } }"),
      ["spec.incomingAuth.oidcConfigRef is required when spec.incomingAuth.type is 'oidc'"],
    ],
    [
      "an externalAuthConfigRef backend without a name",
      vmcp(
        "backend-no-ref",
        `{ ${valid}, outgoingAuth: { source: inline, backends: { github: { type: externalAuthConfigRef } } } }`,
      ),
      [
        "spec.outgoingAuth.backends[github]",
        "externalAuthConfigRef.name is required when type is 'externalAuthConfigRef'",
      ],
    ],
    [
      "a default of type externalAuthConfigRef without a name",
      vmcp("default-no-ref", `{ ${valid}, outgoingAuth: { default: { type: externalAuthConfigRef } } }`),
      ["spec.outgoingAuth.default", "externalAuthConfigRef.name is required"],
    ],
    [
      "a reference that contradicts its type",
      vmcp(
        "ref-wrong-type",
        `{ ${valid}, outgoingAuth: { default: { type: discovered, externalAuthConfigRef: { name: x } } } }`,
      ),
      ["spec.outgoingAuth.default", "type is not 'externalAuthConfigRef'"],
    ],
    [
      "an unknown outgoing source",
      vmcp("bad-source", `{ ${valid}, outgoingAuth: { source: static } }`),
      ['spec.outgoingAuth.source: Unsupported value: "static"'],
    ],
    [
      "an authz config whose type disagrees with its member",
      vmcp(
        "authz-mismatch",
        "{ groupRef: { name: g }, incomingAuth: { type: anonymous, authzConfig: { type: inline, configMap: { name: x } } } }",
      ),
      ["spec.incomingAuth.authzConfig", "configMap must be set when type is 'configMap', and only then"],
    ],
    [
      "priority without a priority order",
      vmcp(
        "priority-empty",
        `{ ${valid}, config: { aggregation: { conflictResolution: priority, conflictResolutionConfig: {} } } }`,
      ),
      ["spec.config.aggregation", "priorityOrder must list at least one workload"],
    ],
    [
      "an unknown conflict strategy",
      vmcp("bad-strategy", `{ ${valid}, config: { aggregation: { conflictResolution: newest } } }`),
      ['spec.config.aggregation.conflictResolution: Unsupported value: "newest"'],
    ],
    [
      "duplicate composite tool names",
      vmcp("dup-tools", `{ ${valid}, config: { compositeTools: [{ name: t }, { name: t }] } }`),
      ["spec.config.compositeTools[1]: Duplicate value"],
    ],
    [
      "a bad duration",
      vmcp("bad-duration", `{ ${valid}, config: { operational: { timeouts: { default: soon } } } }`),
      ["spec.config.operational.timeouts.default"],
    ],
    [
      "a name too long for its Service",
      vmcp("v".repeat(59), `{ ${valid} }`),
      ["metadata.name must be at most 58 characters"],
    ],
    ["a name with dots", vmcp("team.tools", `{ ${valid} }`), ["metadata.name must be a DNS label"]],
    [
      "an MCPExternalAuthConfig without the settings of its type",
      "apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPExternalAuthConfig\nmetadata: { name: half }\nspec: { type: headerInjection }",
      ["spec.headerInjection must be set when spec.type is 'headerInjection'"],
    ],
    [
      "an MCPOIDCConfig of type inline without its inline settings",
      `${toolhive("MCPOIDCConfig", "oidc-half")}\nspec: { type: inline }`,
      ["spec.inline must be set when spec.type is 'inline', and only then"],
    ],
    [
      "an MCPOIDCConfig of an unknown source type",
      `${toolhive("MCPOIDCConfig", "oidc-source")}\nspec: { type: configMap }`,
      ['spec.type: Unsupported value: "configMap"'],
    ],
    [
      "an MCPOIDCConfig CA bundle that names no ConfigMap",
      `${toolhive("MCPOIDCConfig", "oidc-ca")}\nspec: { type: inline, inline: { issuer: "https://idp.example.com", caBundleRef: { configMapRef: { key: ca.crt } } } }`,
      ["spec.inline.caBundleRef.configMapRef.name must name the ConfigMap that holds the CA bundle"],
    ],
    [
      "an MCPAuthzConfig without its config",
      `${toolhive("MCPAuthzConfig", "authz-empty")}\nspec: { type: cedarv1 }`,
      ["spec.config: Required value"],
    ],
    [
      "an MCPTelemetryConfig header both plain and secret",
      `${toolhive("MCPTelemetryConfig", "otel-twice")}\nspec: { openTelemetry: { headers: { x-api-key: k }, sensitiveHeaders: [{ name: x-api-key, secretKeyRef: { name: s, key: k } }] } }`,
      ["spec.openTelemetry: a header name cannot appear in both headers and sensitiveHeaders"],
    ],
    [
      "an MCPToolConfig that filters a tool twice",
      `${toolhive("MCPToolConfig", "tools-twice")}\nspec: { toolsFilter: [fetch, fetch] }`,
      ['spec.toolsFilter[1]: Duplicate value: "fetch"'],
    ],
    [
      "a composite tool step of an unknown type",
      `${toolhive("VirtualMCPCompositeToolDefinition", "bad-step")}\nspec: { name: t, steps: [{ id: s, type: script }] }`,
      ['spec.steps[0].type: Unsupported value: "script"'],
    ],
    [
      "an MCPWebhookConfig without webhooks",
      `${toolhive("MCPWebhookConfig", "no-hooks", "v1alpha1")}\nspec: { validating: [] }`,
      ["spec.validating or spec.mutating must define at least one webhook"],
    ],
    [
      "an MCPServer with the old string groupRef (the mutating webhook migrates it)",
      "apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPServer\nmetadata: { name: old }\nspec: { image: x, groupRef: team }",
      ["spec.groupRef", "must be of type object"],
    ],
  ])("%s", (_, manifest, expected) => {
    const result = kubectl(["apply", "-n", namespace.name, "-f", "-"], manifest);
    expect(result.status).not.toBe(0);
    for (const text of expected) expect(result.stderr).toContain(text);
    const name = /name: ([^ }]+)/.exec(manifest)?.[1] as string;
    const kind = /kind: (\w+)/.exec(manifest)?.[1] as string;
    expect(kubectl(["get", kind.toLowerCase(), name, "-n", namespace.name]).stderr).toContain("NotFound");
  });
});
