// Builders for the core's inputs: ToolHive objects as the API server would return them.
import type { KubeObject } from "../../../functions/core/kinds/kubernetes.ts";
import type {
  ExternalAuthConfig,
  VirtualMCPServer,
  Workload,
} from "../../../functions/core/kinds/toolhive.ts";
import type { Snapshot } from "../../../functions/core/reconcile/plan.ts";
import { DEFAULT_VMCP_IMAGE, runtimeProfile } from "../../../functions/core/runtime/versions.ts";

export const NOW = "2026-11-24T10:00:00.000Z";
/** The runtime the plans target unless a test says otherwise. */
export const RUNTIME = runtimeProfile(DEFAULT_VMCP_IMAGE);
export const LATER = "2026-11-24T10:05:00.000Z";

export function vmcp(
  spec: Partial<VirtualMCPServer["spec"]> = {},
  status?: VirtualMCPServer["status"],
): VirtualMCPServer {
  return {
    metadata: { name: "team", namespace: "tools", uid: "uid-1", generation: 1 },
    spec: { groupRef: { name: "team-group" }, incomingAuth: { type: "anonymous" }, ...spec },
    ...(status ? { status } : {}),
  };
}

export const staticVmcp = (spec: Partial<VirtualMCPServer["spec"]> = {}) =>
  vmcp({ outgoingAuth: { source: "inline" }, ...spec });

export function server(
  name: string,
  fields: {
    phase?: string;
    url?: string;
    transport?: string;
    proxyMode?: string;
    auth?: string;
    group?: unknown;
  } = {},
): Workload {
  return {
    kind: "MCPServer",
    metadata: { name, namespace: "tools" },
    spec: {
      groupRef: (fields.group ?? { name: "team-group" }) as Workload["spec"]["groupRef"],
      ...(fields.transport ? { transport: fields.transport } : {}),
      ...(fields.proxyMode ? { proxyMode: fields.proxyMode } : {}),
      ...(fields.auth ? { externalAuthConfigRef: { name: fields.auth } } : {}),
    },
    status: {
      phase: fields.phase ?? "Running",
      url: fields.url ?? `http://mcp-${name}-proxy.tools.svc.cluster.local:8080/mcp`,
    },
  };
}

export function proxy(name: string, phase: string, url = ""): Workload {
  return {
    kind: "MCPRemoteProxy",
    metadata: { name, namespace: "tools" },
    spec: { groupRef: { name: "team-group" }, transport: "sse" },
    status: { phase, url },
  };
}

export function headerInjection(name: string): ExternalAuthConfig {
  return {
    metadata: { name, namespace: "tools" },
    spec: {
      type: "headerInjection",
      headerInjection: { headerName: "X-API-Key", valueSecretRef: { name: "creds", key: "api-key" } },
    },
  };
}

export function tokenExchange(name: string): ExternalAuthConfig {
  return {
    metadata: { name, namespace: "tools" },
    spec: {
      type: "tokenExchange",
      tokenExchange: {
        tokenUrl: "https://idp/token",
        clientId: "vmcp",
        clientSecretRef: { name: "creds", key: "secret" },
        audience: "api",
      },
    },
  };
}

export function snapshot(fields: Partial<Snapshot> = {}): Snapshot {
  return {
    vmcp: vmcp(),
    group: { metadata: { name: "team-group", namespace: "tools" } },
    workloads: [],
    authConfigs: [],
    children: [] as KubeObject[],
    ...fields,
  };
}
