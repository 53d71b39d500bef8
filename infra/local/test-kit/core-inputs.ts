// The core's inputs as its unit tests share them: the VirtualMCPServer "team" in namespace "tools" as the
// API server stores it, the members of its group as ToolHive's controllers report them, and the snapshot
// around them, at a fixed time. Built with the kit's builders; only what the core reads is set.

import type { KubeObject } from "../../../functions/core/kinds/kubernetes.ts";
import type { ServerEntry, VirtualMCPServer, Workload } from "../../../functions/core/kinds/toolhive.ts";
import type { Snapshot } from "../../../functions/core/reconcile/plan.ts";
import { noRelatedObjects } from "../../../functions/core/reconcile/related-kinds.ts";
import { DEFAULT_VMCP_IMAGE, runtimeProfile } from "../../../functions/core/runtime/versions.ts";
import { mcpGroup, mcpRemoteProxy, mcpServer, mcpServerEntry, virtualMCPServer } from "./toolhive-objects.ts";

export const NOW = "2026-11-24T10:00:00.000Z";
/** The runtime the plans target unless a test says otherwise. */
export const RUNTIME = runtimeProfile(DEFAULT_VMCP_IMAGE);
export const LATER = "2026-11-24T10:05:00.000Z";

/** The group the scenario's VirtualMCPServer aggregates. */
const TEAM_GROUP = "team-group";
/** What the API server adds to the object it stores. */
const STORED = { uid: "uid-1", generation: 1 };

export const vmcp = (spec: Partial<VirtualMCPServer["spec"]> = {}, status?: VirtualMCPServer["status"]) =>
  virtualMCPServer("team", { group: TEAM_GROUP, metadata: STORED, spec, status });

export const staticVmcp = (spec: Partial<VirtualMCPServer["spec"]> = {}) =>
  vmcp({ outgoingAuth: { source: "inline" }, ...spec });

/** An MCPServer as discovery reads it: no image, its transport only when a test gives one. */
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
  return mcpServer(name, {
    spec: {
      image: undefined,
      groupRef: (fields.group ?? { name: TEAM_GROUP }) as Workload["spec"]["groupRef"],
      transport: fields.transport,
      proxyMode: fields.proxyMode,
      externalAuthConfigRef: fields.auth ? { name: fields.auth } : undefined,
    },
    status: {
      phase: fields.phase ?? "Running",
      url: fields.url ?? `http://mcp-${name}-proxy.tools.svc.cluster.local:8080/mcp`,
    },
  });
}

export const proxy = (name: string, phase: string, url = ""): Workload =>
  mcpRemoteProxy(name, {
    group: TEAM_GROUP,
    spec: { remoteUrl: undefined, transport: "sse" },
    status: { phase, url },
  });

/** An MCPServerEntry of the team's group, Valid as ToolHive's entry controller says once its refs hold. */
export function entry(
  name: string,
  fields: {
    phase?: string;
    spec?: Partial<ServerEntry["spec"]>;
    conditions?: { type: string; message: string }[];
  } = {},
): ServerEntry {
  return mcpServerEntry(name, {
    group: TEAM_GROUP,
    spec: fields.spec,
    status: {
      phase: fields.phase ?? "Valid",
      ...(fields.conditions ? { conditions: fields.conditions } : {}),
    },
  });
}

export function snapshot(fields: Partial<Snapshot> = {}): Snapshot {
  return {
    ...noRelatedObjects(),
    vmcp: vmcp(),
    group: mcpGroup(TEAM_GROUP),
    workloads: [],
    authConfigs: [],
    children: [] as KubeObject[],
    ...fields,
  };
}
