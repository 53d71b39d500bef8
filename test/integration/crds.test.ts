// The CRDs as a real API server serves them: established, discoverable by short name, printed with
// upstream's columns, and v1alpha1 deprecated but readable as v1beta1.
import { ApiextensionsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { loadCrds } from "../../infra/local/control-plane/crds.ts";
import { kubeConfig, kubectl, useNamespace } from "./cluster.ts";

const namespace = useNamespace("crds");
const GROUP = "toolhive.stacklok.dev";

describe("installed CRDs", () => {
  it("are all fourteen Established, storing v1beta1 (MCPWebhookConfig its only version, v1alpha1)", async () => {
    const extensions = kubeConfig().makeApiClient(ApiextensionsV1Api);
    const expected = await loadCrds();
    expect(expected).toHaveLength(14);
    for (const crd of expected) {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
      const established = live.status?.conditions?.find((c) => c.type === "Established");
      expect(established?.status, crd.metadata.name).toBe("True");
      const storage = crd.spec.names.kind === "MCPWebhookConfig" ? "v1alpha1" : "v1beta1";
      expect(live.status?.storedVersions, crd.metadata.name).toEqual([storage]);
    }
  });

  it("are discoverable with upstream's short names in both versions", async () => {
    const shortNamesIn = async (version: string) => {
      const response = await rawRequest(kubeConfig(), `/apis/${GROUP}/${version}`);
      const resources = (
        JSON.parse(response.body) as { resources: { name: string; shortNames?: string[] }[] }
      ).resources;
      return Object.fromEntries(
        resources.filter((r) => !r.name.includes("/")).map((r) => [r.name, r.shortNames]),
      );
    };
    const inBoth = {
      virtualmcpservers: ["vmcp", "virtualmcp"],
      mcpgroups: ["mcpg", "mcpgroup"],
      mcpservers: ["mcpserver", "mcpservers"],
      mcpremoteproxies: ["rp", "mcprp"],
      mcpexternalauthconfigs: ["extauth", "mcpextauth"],
      mcpserverentries: ["mcpentry"],
      mcpoidcconfigs: ["mcpoidc"],
      mcpauthzconfigs: ["authzcfg"],
      mcptelemetryconfigs: ["mcpotel"],
      mcptoolconfigs: ["tc", "toolconfig"],
      virtualmcpcompositetooldefinitions: ["vmcpctd", "compositetool"],
      embeddingservers: ["emb", "embedding"],
      mcpregistries: ["mcpreg", "registry"],
    };
    expect(await shortNamesIn("v1beta1")).toEqual(inBoth);
    // MCPWebhookConfig has no v1beta1 upstream.
    expect(await shortNamesIn("v1alpha1")).toEqual({ ...inBoth, mcpwebhookconfigs: ["mwc"] });
  });

  it("answer kubectl get by every short name with upstream's printer columns", () => {
    const manifest = `
apiVersion: ${GROUP}/v1beta1
kind: MCPGroup
metadata: { name: columns-group }
---
apiVersion: ${GROUP}/v1beta1
kind: VirtualMCPServer
metadata: { name: columns-vmcp }
spec: { groupRef: { name: columns-group }, incomingAuth: { type: anonymous } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPServer
metadata: { name: columns-server }
spec: { image: example/server:1, groupRef: { name: columns-group } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPRemoteProxy
metadata: { name: columns-proxy }
spec: { remoteUrl: "https://mcp.example.com", groupRef: { name: columns-group } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPExternalAuthConfig
metadata: { name: columns-auth }
spec: { type: unauthenticated }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPServerEntry
metadata: { name: columns-entry }
spec: { remoteUrl: "https://entry.example.com/mcp", transport: streamable-http, groupRef: { name: columns-group } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPOIDCConfig
metadata: { name: columns-oidc }
spec: { type: inline, inline: { issuer: "https://idp.example.com" } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPAuthzConfig
metadata: { name: columns-authz }
spec: { type: cedarv1, config: { policies: ["permit(principal, action, resource);"] } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPTelemetryConfig
metadata: { name: columns-otel }
spec: { openTelemetry: { endpoint: "otel.example.com:4318", tracing: { enabled: true } } }
---
apiVersion: ${GROUP}/v1beta1
kind: MCPToolConfig
metadata: { name: columns-tools }
spec: { toolsFilter: [fetch] }
---
apiVersion: ${GROUP}/v1beta1
kind: VirtualMCPCompositeToolDefinition
metadata: { name: columns-composite }
spec: { name: fetch_twice, steps: [{ id: first, tool: fetch }] }
---
apiVersion: ${GROUP}/v1beta1
kind: EmbeddingServer
metadata: { name: columns-embedding }
spec: {}
---
apiVersion: ${GROUP}/v1alpha1
kind: MCPWebhookConfig
metadata: { name: columns-webhooks }
spec: { validating: [{ name: policy, url: "https://policy.example.com" }] }
`;
    const applied = kubectl(["apply", "-n", namespace.name, "-f", "-"], manifest);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    // MCPRegistry is deprecated upstream in every version: applying it warns, as with ToolHive's chart.
    const registry = kubectl(
      ["apply", "-n", namespace.name, "-f", "-"],
      `{ apiVersion: ${GROUP}/v1beta1, kind: MCPRegistry, metadata: { name: columns-registry }, spec: { configYAML: "registries: []" } }`,
    );
    expect(registry.status, registry.stderr).toBe(0);
    expect(registry.stderr).toContain("Warning: MCPRegistry is deprecated and will be removed");
    const headers: Record<string, string[]> = {
      vmcp: ["NAME", "PHASE", "URL", "BACKENDS", "AGE", "READY"],
      virtualmcp: ["NAME", "PHASE", "URL", "BACKENDS", "AGE", "READY"],
      mcpg: ["NAME", "SERVERS", "PROXIES", "PHASE", "CHECKED", "AGE"],
      mcpgroup: ["NAME", "SERVERS", "PROXIES", "PHASE", "CHECKED", "AGE"],
      mcpserver: ["NAME", "STATUS", "READY", "REPLICAS", "URL", "AGE"],
      mcpservers: ["NAME", "STATUS", "READY", "REPLICAS", "URL", "AGE"],
      rp: ["NAME", "PHASE", "REMOTE URL", "URL", "READY", "AGE"],
      mcprp: ["NAME", "PHASE", "REMOTE URL", "URL", "READY", "AGE"],
      extauth: ["NAME", "TYPE", "VALID", "AGE"],
      mcpextauth: ["NAME", "TYPE", "VALID", "AGE"],
      mcpentry: ["NAME", "PHASE", "TRANSPORT", "REMOTE URL", "GROUP", "AGE"],
      mcpoidc: ["NAME", "SOURCE", "VALID", "AGE"],
      authzcfg: ["NAME", "TYPE", "VALID", "AGE"],
      mcpotel: ["NAME", "ENDPOINT", "VALID", "TRACING", "METRICS", "AGE"],
      tc: ["NAME", "VALID", "AGE"],
      toolconfig: ["NAME", "VALID", "AGE"],
      vmcpctd: ["NAME", "WORKFLOW", "STATUS", "AGE", "READY"],
      compositetool: ["NAME", "WORKFLOW", "STATUS", "AGE", "READY"],
      emb: ["NAME", "STATUS", "MODEL", "READY", "URL", "AGE"],
      embedding: ["NAME", "STATUS", "MODEL", "READY", "URL", "AGE"],
      mcpreg: ["NAME", "STATUS", "READY", "REPLICAS", "URL", "AGE"],
      registry: ["NAME", "STATUS", "READY", "REPLICAS", "URL", "AGE"],
      mwc: ["NAME", "VALID", "AGE"],
    };
    // A row's cells by the header's column offsets (kubectl aligns them; an empty cell stays empty).
    const cellsOf = (header: string, row: string) => {
      const columns = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => [m[0], m.index] as const);
      return Object.fromEntries(
        columns.map(([name, start], i) => [name, row.slice(start, columns[i + 1]?.[1]).trim()]),
      );
    };
    const cells: Record<string, Record<string, string>> = {};
    for (const [shortName, columns] of Object.entries(headers)) {
      const got = kubectl(["get", shortName, "-n", namespace.name]);
      expect(got.status, got.stderr).toBe(0);
      const [header = "", row = ""] = got.stdout.trimEnd().split("\n");
      expect(header.split(/\s{2,}/), shortName).toEqual(columns);
      expect(row, shortName).toMatch(/^columns-/);
      cells[shortName] = cellsOf(header, row);
    }
    // The columns read the fields upstream's do, defaults included.
    expect(cells.extauth).toMatchObject({ TYPE: "unauthenticated" });
    expect(cells.mcpentry).toMatchObject({ TRANSPORT: "streamable-http", GROUP: "columns-group" });
    expect(cells.mcpoidc).toMatchObject({ SOURCE: "inline" });
    expect(cells.authzcfg).toMatchObject({ TYPE: "cedarv1" });
    expect(cells.mcpotel).toMatchObject({ ENDPOINT: "otel.example.com:4318", TRACING: "true", METRICS: "" });
    expect(cells.compositetool).toMatchObject({ WORKFLOW: "fetch_twice", STATUS: "" });
    expect(cells.emb).toMatchObject({ STATUS: "", MODEL: "BAAI/bge-small-en-v1.5" });
    expect(cells.registry).toMatchObject({ NAME: "columns-registry", STATUS: "" });
  });

  it("warn on v1alpha1 and read an object written as v1alpha1 back as v1beta1", async () => {
    const body = JSON.stringify({
      apiVersion: `${GROUP}/v1alpha1`,
      kind: "MCPGroup",
      metadata: { name: "written-as-alpha" },
      spec: { description: "old clients still work" },
    });
    const created = await rawRequest(
      kubeConfig(),
      `/apis/${GROUP}/v1alpha1/namespaces/${namespace.name}/mcpgroups`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      },
    );
    expect(created.status).toBe(201);
    expect(String(created.headers.warning)).toContain(
      "toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1",
    );

    const objects = kubeConfig().makeApiClient(CustomObjectsApi);
    const read = (await objects.getNamespacedCustomObject({
      group: GROUP,
      version: "v1beta1",
      namespace: namespace.name,
      plural: "mcpgroups",
      name: "written-as-alpha",
    })) as { apiVersion: string; spec: { description: string } };
    expect(read.apiVersion).toBe(`${GROUP}/v1beta1`);
    expect(read.spec.description).toBe("old clients still work");

    const viaKubectl = kubectl([
      "get",
      "mcpgroups.v1alpha1.toolhive.stacklok.dev",
      "written-as-alpha",
      "-n",
      namespace.name,
    ]);
    expect(viaKubectl.stderr).toContain("v1alpha1 is deprecated; use v1beta1");
  });
});
