// MCPServerEntry members in static mode against the real API server: an entry of the group becomes a
// backend of type entry beside an MCPServer, its CA bundle mounted and its forwarded header as env; a change
// to it is hinted with its group and routed to that group's VirtualMCPServers alone, whose reconcile takes
// it in; and once converged a reconcile writes nothing.
import type { EventBridgeEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hintFor } from "../../functions/admission/hints.ts";
import type { AdmissionRequest } from "../../functions/core/admission/review.ts";
import type { ReconcileRequest } from "../../functions/core/delivery/change-hint.ts";
import { GROUP_LABEL } from "../../functions/core/kinds/names.ts";
import { getObject } from "../../functions/kube/api.ts";
import { routerHandler } from "../../functions/reconcile/hint-router.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { countRequests, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { silentObservability } from "../../infra/local/test-kit/lambda.ts";
import {
  mcpGroup,
  mcpServer,
  mcpServerEntry,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectl, useNamespace } from "./cluster.ts";

const namespace = useNamespace("entries");
const ns = () => namespace.name;
const kc = () => kubeConfig();
const IMAGE = "example/vmcp:v0.47.0";
const GROUP = "entries-group";
type Any = Record<string, any>;
const get = async (kind: Parameters<typeof getObject>[1], name: string) =>
  (await getObject(kc(), kind, ns(), name)) as Any;
const reconcile = (name: string) => reconcileOne(kc(), ns(), name, { image: IMAGE });
const configOf = async (name: string) =>
  parse((await get("ConfigMap", `${name}-vmcp-config`)).data["config.yaml"]) as Any;

/** A static VirtualMCPServer labelled with its group, as the mutating webhook stores it. */
const staticVmcp = (name: string, group: string) =>
  virtualMCPServer(name, {
    group,
    metadata: { labels: { [GROUP_LABEL]: group } },
    spec: { outgoingAuth: { source: "inline" } },
  });

/** What the API server sends the admission function for a write of the entry: the objects before and after. */
const entryWrite = (oldObject: unknown, object: unknown, subResource?: string): AdmissionRequest => ({
  uid: "review-1",
  kind: { group: "toolhive.stacklok.dev", version: "v1beta1", kind: "MCPServerEntry" },
  resource: { group: "toolhive.stacklok.dev", version: "v1beta1", resource: "mcpserverentries" },
  ...(subResource ? { subResource } : {}),
  name: "remote",
  namespace: ns(),
  operation: "UPDATE",
  userInfo: { username: "toolhive-operator" },
  object,
  oldObject,
});

async function route(request: AdmissionRequest): Promise<ReconcileRequest[]> {
  const hint = hintFor(request);
  const sent: ReconcileRequest[] = [];
  const router = routerHandler({
    ...silentObservability(),
    kubeConfig: async () => kc(),
    send: async (requests) => {
      sent.push(...requests);
    },
  });
  await router({ id: "hint-1", detail: hint } as EventBridgeEvent<string, unknown>);
  return sent;
}

describe("MCPServerEntry members in static mode", () => {
  it("are backends of type entry beside the group's MCPServer, with their CA bundle and header", async () => {
    const configMap = kubectl(["create", "configmap", "corp-ca", "--from-literal=ca.crt=pem", "-n", ns()]);
    expect(configMap.status, configMap.stderr).toBe(0);
    await userApply(
      kc(),
      ns(),
      mcpGroup(GROUP),
      mcpGroup("elsewhere"),
      mcpServer("local", { group: GROUP }),
      mcpServerEntry("remote", {
        group: GROUP,
        spec: {
          remoteUrl: "https://remote.example.com/mcp",
          transport: "sse",
          caBundleRef: { configMapRef: { name: "corp-ca", key: "ca.crt" } },
          headerForward: {
            addPlaintextHeaders: { "X-Tenant-ID": "tenant-123" },
            addHeadersFromSecret: [
              { headerName: "Authorization", valueSecretRef: { name: "remote-creds", key: "token" } },
            ],
          },
        },
      }),
      staticVmcp("mixed", GROUP),
      staticVmcp("unrelated", "elsewhere"),
    );
    await patchStatus(kc(), "MCPServer", ns(), "local", {
      phase: "Running",
      url: "http://mcp-local-proxy:8080/mcp",
    });
    await patchStatus(kc(), "MCPServerEntry", ns(), "remote", { phase: "Valid" });

    expect(await reconcile("mixed")).toMatchObject({ mode: "static", outcome: "ok", statusWritten: true });
    const config = await configOf("mixed");
    expect(config.backends.map((b: Any) => [b.name, b.type, b.url, b.transport, b.caBundlePath])).toEqual([
      ["local", undefined, "http://mcp-local-proxy:8080/mcp", "streamable-http", undefined],
      ["remote", "entry", "https://remote.example.com/mcp", "sse", "/etc/toolhive/ca-bundles/remote/ca.crt"],
    ]);
    const pod = (await get("Deployment", "mixed")).spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "ca-bundle-remote",
      // defaultMode is the API server's default.
      configMap: { name: "corp-ca", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: 420 },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "ca-bundle-remote",
      mountPath: "/etc/toolhive/ca-bundles/remote",
      readOnly: true,
    });
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        {
          name: "TOOLHIVE_HEADER_FORWARD_REMOTE",
          value:
            '{"addPlaintextHeaders":{"X-Tenant-ID":"tenant-123"},"addHeadersFromSecret":{"Authorization":"HEADER_FORWARD_AUTHORIZATION_REMOTE"}}',
        },
        {
          name: "TOOLHIVE_SECRET_HEADER_FORWARD_AUTHORIZATION_REMOTE",
          valueFrom: { secretKeyRef: { name: "remote-creds", key: "token" } },
        },
      ]),
    );
    const status = (await get("VirtualMCPServer", "mixed")).status;
    expect(status.discoveredBackends.map((b: Any) => [b.name, b.url, b.status])).toEqual([
      ["local", "http://mcp-local-proxy:8080/mcp", "ready"],
      ["remote", "https://remote.example.com/mcp", "ready"],
    ]);
    expect(status.backendCount).toBe(2);
  });

  it("a change to the entry reaches its group's VirtualMCPServer, whose reconcile takes it in", async () => {
    const before = await get("MCPServerEntry", "remote");
    await patchStatus(kc(), "MCPServerEntry", ns(), "remote", {
      phase: "Failed",
      conditions: [
        {
          type: "Valid",
          status: "False",
          reason: "ConfigInvalid",
          message: "Secret remote-creds not found",
          lastTransitionTime: "2026-12-02T10:00:00Z",
        },
      ],
    });
    const after = await get("MCPServerEntry", "remote");
    // Its status written by ToolHive's entry controller: hinted (the webhook rule covers /status) and routed.
    const requests = await route(entryWrite(before, after, "status"));
    expect(requests.map((r) => [r.name, r.cause?.kind, r.cause?.groups])).toEqual([
      ["mixed", "MCPServerEntry", [GROUP]],
    ]);

    const result = await reconcile("mixed");
    expect(result.written).toEqual(expect.arrayContaining(["ConfigMap", "Deployment", "VirtualMCPServer"]));
    expect((await configOf("mixed")).backends.map((b: Any) => b.name)).toEqual(["local"]);
    const pod = (await get("Deployment", "mixed")).spec.template.spec;
    expect(pod.volumes.map((v: Any) => v.name)).toEqual(["vmcp-config"]);
    const status = (await get("VirtualMCPServer", "mixed")).status;
    expect(status.discoveredBackends.map((b: Any) => [b.name, b.status, b.message])).toEqual([
      ["local", "ready", "MCPServer is Running"],
      ["remote", "unavailable", "MCPServerEntry phase is Failed (Secret remote-creds not found)"],
    ]);
    expect(status.backendCount).toBe(1);

    // Valid again; a user's write moving it to another group reaches both groups' VirtualMCPServers.
    await patchStatus(kc(), "MCPServerEntry", ns(), "remote", { phase: "Valid", conditions: [] });
    const valid = await get("MCPServerEntry", "remote");
    const moved = { ...valid, spec: { ...valid.spec, groupRef: { name: "elsewhere" } } };
    const movedRequests = await route({ ...entryWrite(valid, moved), userInfo: { username: "a-user" } });
    expect(movedRequests.map((r) => r.name)).toEqual(["mixed", "unrelated"]);
    await reconcile("mixed");
    expect((await configOf("mixed")).backends.map((b: Any) => b.name)).toEqual(["local", "remote"]);
  });

  it("writes nothing on a reconcile with nothing changed, reading each member kind once", async () => {
    const counts = await countRequests(kc(), () => reconcile("mixed"));
    expect(counts.writes).toBe(0);
    // The VirtualMCPServer, its MCPGroup, the MCPServer, MCPRemoteProxy, MCPServerEntry and
    // MCPExternalAuthConfig lists, and the seven children (two RoleBindings).
    expect(counts.reads).toBe(13);
  });
});
