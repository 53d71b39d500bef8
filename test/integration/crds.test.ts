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
  it("are all six Established, storing v1beta1", async () => {
    const extensions = kubeConfig().makeApiClient(ApiextensionsV1Api);
    const expected = await loadCrds();
    expect(expected).toHaveLength(6);
    for (const crd of expected) {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
      const established = live.status?.conditions?.find((c) => c.type === "Established");
      expect(established?.status, crd.metadata.name).toBe("True");
      expect(live.status?.storedVersions).toEqual(["v1beta1"]);
    }
  });

  it("are discoverable with upstream's short names in both versions", async () => {
    for (const version of ["v1beta1", "v1alpha1"]) {
      const response = await rawRequest(kubeConfig(), `/apis/${GROUP}/${version}`);
      const resources = (
        JSON.parse(response.body) as { resources: { name: string; shortNames?: string[] }[] }
      ).resources;
      const shortNames = Object.fromEntries(
        resources.filter((r) => !r.name.includes("/")).map((r) => [r.name, r.shortNames]),
      );
      expect(shortNames).toEqual({
        virtualmcpservers: ["vmcp", "virtualmcp"],
        mcpgroups: ["mcpg", "mcpgroup"],
        mcpservers: ["mcpserver", "mcpservers"],
        mcpremoteproxies: ["rp", "mcprp"],
        mcpexternalauthconfigs: ["extauth", "mcpextauth"],
        mcpserverentries: ["mcpentry"],
      });
    }
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
`;
    const applied = kubectl(["apply", "-n", namespace.name, "-f", "-"], manifest);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
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
    };
    for (const [shortName, columns] of Object.entries(headers)) {
      const got = kubectl(["get", shortName, "-n", namespace.name]);
      expect(got.status, got.stderr).toBe(0);
      const [header, row] = got.stdout.trimEnd().split("\n");
      expect(header?.split(/\s{2,}/), shortName).toEqual(columns);
      expect(row, shortName).toMatch(/^columns-/);
    }
    expect(kubectl(["get", "extauth", "columns-auth", "-n", namespace.name]).stdout).toMatch(
      /unauthenticated/,
    );
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
