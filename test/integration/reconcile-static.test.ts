// Static mode (outgoingAuth.source: inline) against the real API server: discovery, children, auth
// secrets as env, determinism, self-healing, and zero writes once converged.
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { resourcePath } from "../../functions/core/kinds/resources.ts";
import { deleteObject, getObject, listObjects } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";

import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { countRequests, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  headerInjection,
  mcpExternalAuthConfig,
  mcpGroup,
  mcpRemoteProxy,
  mcpServer,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("static");
const kc = () => kubeConfig();
const IMAGE = "example/vmcp:v0.47.0";
const reconcile = (name: string) => reconcileOne(kc(), namespace.name, name, { image: IMAGE });
type Any = Record<string, any>;
const get = async (kind: Parameters<typeof getObject>[1], name: string) =>
  (await getObject(kc(), kind, namespace.name, name)) as Any;

const WEATHER_KEY = mcpExternalAuthConfig("weather-key", { spec: headerInjection() });
const DOCS_PROXY = mcpRemoteProxy("docs", { group: "static-group", spec: { transport: "sse" } });

async function member(name: string, phase: string, url: string, spec: Record<string, unknown> = {}) {
  await userApply(kc(), namespace.name, mcpServer(name, { group: "static-group", spec }));
  await patchStatus(kc(), "MCPServer", namespace.name, name, { phase, url });
}

describe("static mode", () => {
  it("discovers two running servers and a pending proxy, with auth secrets as secretKeyRef env", async () => {
    await userApply(kc(), namespace.name, mcpGroup("static-group"), WEATHER_KEY, DOCS_PROXY);
    await patchStatus(kc(), "MCPRemoteProxy", namespace.name, "docs", { phase: "Pending" });
    await member("weather", "Running", "http://mcp-weather-proxy:8080/mcp", {
      externalAuthConfigRef: { name: "weather-key" },
    });
    await member("fetch", "Running", "http://mcp-fetch-proxy:8080/mcp", {
      transport: "stdio",
      proxyMode: "sse",
    });
    await userApply(
      kc(),
      namespace.name,
      virtualMCPServer("static-vmcp", {
        group: "static-group",
        spec: { outgoingAuth: { source: "inline" } },
      }),
    );

    const result = await reconcile("static-vmcp");
    expect(result).toMatchObject({ mode: "static", outcome: "ok", statusWritten: true });
    expect(result.written).toEqual([
      "ServiceAccount",
      "ConfigMap",
      "Deployment",
      "Service",
      "VirtualMCPServer",
    ]);

    const vmcp = await get("VirtualMCPServer", "static-vmcp");
    expect(vmcp.status.discoveredBackends.map((b: Any) => [b.name, b.status, b.authType])).toEqual([
      ["docs", "unavailable", "unauthenticated"],
      ["fetch", "ready", "unauthenticated"],
      ["weather", "ready", "header_injection"],
    ]);
    expect(vmcp.status.backendCount).toBe(2);
    expect(vmcp.status.conditions).toContainEqual(
      expect.objectContaining({
        type: "BackendsDiscovered",
        status: "True",
        reason: "BackendsDiscoveredSuccessfully",
      }),
    );
    expect(vmcp.status.url).toBe(`http://vmcp-static-vmcp.${namespace.name}.svc.cluster.local:4483`);

    const config = (await get("ConfigMap", "static-vmcp-vmcp-config")).data["config.yaml"] as string;
    expect(config).toContain("name: fetch\n    transport: sse");
    expect(config).toContain("name: weather\n    transport: streamable-http");
    expect(config).not.toContain("docs"); // a proxy without a URL is reported, not routed to

    const pod = (await get("Deployment", "static-vmcp")).spec.template.spec;
    const env = pod.containers[0].env as Any[];
    expect(env).toContainEqual({
      name: "TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY",
      valueFrom: { secretKeyRef: { name: "creds", key: "api-key" } },
    });
    expect(env.map((e) => e.name)).not.toContain("VMCP_NAME");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(await get("Role", "static-vmcp-vmcp")).toBeUndefined();

    const events = (await listObjects(kc(), "Event", { namespace: namespace.name })) as Any[];
    const created = events
      .filter((e) => e.involvedObject.name === "static-vmcp")
      .map((e) => [e.type, e.reason]);
    expect(created.sort()).toEqual(
      ["ConfigMapCreated", "DeploymentCreated", "ServiceAccountCreated", "ServiceCreated"].map((r) => [
        "Normal",
        r,
      ]),
    );
  });

  it("leaves out settings the runtime does not know, says so in a Warning Event, and once", async () => {
    await userApply(
      kc(),
      namespace.name,
      virtualMCPServer("unknown-keys", {
        group: "static-group",
        spec: {
          outgoingAuth: { source: "inline" },
          config: { futureFeature: { on: true }, operational: { logLevel: "debug", someNewKnob: 3 } },
        },
      }),
    );
    await reconcile("unknown-keys");
    await reconcile("unknown-keys");
    const config = (await get("ConfigMap", "unknown-keys-vmcp-config")).data["config.yaml"] as string;
    expect(config).not.toMatch(/futureFeature|someNewKnob/);
    expect(config).toContain("logLevel: debug");
    const events = ((await listObjects(kc(), "Event", { namespace: namespace.name })) as Any[]).filter(
      (e) => e.involvedObject.name === "unknown-keys" && e.reason === "ConfigSettingsLeftOut",
    );
    expect(events.map((e) => [e.type, e.message])).toEqual([
      [
        "Warning",
        "spec.config.futureFeature: not a setting of the vMCP runtime v0.47.0; left out of its configuration (it would refuse to start); spec.config.operational.someNewKnob: not a setting of the vMCP runtime v0.47.0; left out of its configuration (it would refuse to start)",
      ],
    ]);
  });

  it("makes zero write requests on a reconcile with nothing changed", async () => {
    const counts = await countRequests(kc(), () => reconcile("static-vmcp"));
    expect(counts.writes).toBe(0);
    // One of each: the VirtualMCPServer, its MCPGroup, the MCPServer, MCPRemoteProxy, MCPServerEntry and
    // MCPExternalAuthConfig lists, and the seven children (two RoleBindings).
    expect(counts.reads).toBe(13);
  });

  it("writes the same ConfigMap whatever order members were created in; a URL change rolls the pods", async () => {
    const before = await get("ConfigMap", "static-vmcp-vmcp-config");
    const template = async () =>
      (await get("Deployment", "static-vmcp")).spec.template.metadata.annotations[
        "toolhive.stacklok.dev/runconfig-checksum"
      ];
    expect(await template()).toBe(before.metadata.annotations["toolhive.stacklok.dev/content-checksum"]);

    // The same setup built in the opposite order in another namespace gives the same bytes.
    const other = `${namespace.name}-b`;
    await kc()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: other } } });
    const inOther = async (name: string, phase: string, url: string, spec: Record<string, unknown> = {}) => {
      await userApply(kc(), other, mcpServer(name, { group: "static-group", spec }));
      await patchStatus(kc(), "MCPServer", other, name, { phase, url });
    };
    await userApply(
      kc(),
      other,
      virtualMCPServer("static-vmcp", {
        group: "static-group",
        spec: { outgoingAuth: { source: "inline" } },
      }),
    );
    await inOther("fetch", "Running", "http://mcp-fetch-proxy:8080/mcp", {
      transport: "stdio",
      proxyMode: "sse",
    });
    await inOther("weather", "Running", "http://mcp-weather-proxy:8080/mcp", {
      externalAuthConfigRef: { name: "weather-key" },
    });
    await userApply(kc(), other, DOCS_PROXY, WEATHER_KEY, mcpGroup("static-group"));
    await patchStatus(kc(), "MCPRemoteProxy", other, "docs", { phase: "Pending" });
    await reconcileOne(kc(), other, "static-vmcp", { image: IMAGE });
    const otherConfig = ((await getObject(kc(), "ConfigMap", other, "static-vmcp-vmcp-config")) as Any).data[
      "config.yaml"
    ] as string;
    expect(otherConfig.replaceAll(other, namespace.name)).toBe(before.data["config.yaml"]);

    const checksumBefore = await template();

    await patchStatus(kc(), "MCPServer", namespace.name, "fetch", { url: "http://moved:8080/mcp" });
    const result = await reconcile("static-vmcp");
    expect(result.written).toContain("ConfigMap");
    expect(result.written).toContain("Deployment");
    expect(await template()).not.toBe(checksumBefore);
  });

  it("recreates a child deleted by hand and restores one edited by hand", async () => {
    await deleteObject(kc(), "Service", namespace.name, "vmcp-static-vmcp");
    // What `kubectl edit` does: a full update (PUT) of the object as read.
    const deployment = await get("Deployment", "static-vmcp");
    deployment.spec.template.spec.containers[0].image = "evil/image:latest";
    deployment.spec.template.spec.containers[0].args = ["serve"];
    const edited = await rawRequest(
      kc(),
      `${resourcePath("Deployment", namespace.name, "static-vmcp")}?fieldManager=kubectl-edit`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(deployment),
      },
    );
    expect(edited.status).toBe(200);

    const result = await reconcile("static-vmcp");
    expect(result.written).toEqual(["Deployment", "Service"]);
    const container = (await get("Deployment", "static-vmcp")).spec.template.spec.containers[0];
    expect(container.image).toBe(IMAGE);
    expect(container.args).toEqual([
      "serve",
      "--config=/etc/vmcp-config/config.yaml",
      "--host=0.0.0.0",
      "--port=4483",
    ]);
    expect((await get("Service", "vmcp-static-vmcp")).spec.ports).toEqual([
      { name: "http", port: 4483, targetPort: 4483, protocol: "TCP" },
    ]);
    expect((await countRequests(kc(), () => reconcile("static-vmcp"))).writes).toBe(0);
  });

  it("reports a group without usable backends in status, without asking to be retried", async () => {
    await userApply(
      kc(),
      namespace.name,
      mcpGroup("empty-group"),
      virtualMCPServer("lonely", { group: "empty-group", spec: { outgoingAuth: { source: "inline" } } }),
    );
    const result = await reconcile("lonely");
    expect(result.outcome).toBe("ok");
    const status = (await get("VirtualMCPServer", "lonely")).status;
    expect(status.phase).toBe("Pending");
    expect(status.conditions).toContainEqual(
      expect.objectContaining({
        type: "Ready",
        status: "False",
        reason: "NoUsableBackends",
        message: "No usable backend: MCPGroup empty-group has no members",
      }),
    );
  });

  it("fails a missing group with GroupRefNotFound and an invalid spec with Valid=False", async () => {
    await userApply(kc(), namespace.name, virtualMCPServer("orphan", { group: "no-such-group" }));
    expect((await reconcile("orphan")).outcome).toBe("blocked");
    const orphan = (await get("VirtualMCPServer", "orphan")).status;
    expect(orphan.phase).toBe("Failed");
    expect(orphan.conditions).toContainEqual(
      expect.objectContaining({ type: "GroupRefValidated", status: "False", reason: "GroupRefNotFound" }),
    );
    expect(await get("Deployment", "orphan")).toBeUndefined();
    expect((await reconcile("gone")).outcome).toBe("notFound");
  });
});
