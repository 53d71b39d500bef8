// Names, labels and references of a VirtualMCPServer's children, as ToolHive's operator spells them.
import type { VirtualMCPServer } from "./toolhive.ts";

export const API_GROUP = "toolhive.stacklok.dev";
export const API_VERSION = `${API_GROUP}/v1beta1`;
export const VMCP_PORT = 4483;
/** Set by the mutating webhook on members and VirtualMCPServers to their group, so reads can select by it. */
export const GROUP_LABEL = `${API_GROUP}/group`;
export const FIELD_MANAGER = "vmcp-lambda";
/** Dynamic mode only: writes phase, message and Ready while the runtime cannot (see desired-status.ts). */
export const FALLBACK_FIELD_MANAGER = "vmcp-lambda-fallback";
export const FIELD_MANAGERS: readonly string[] = [FIELD_MANAGER, FALLBACK_FIELD_MANAGER];
/**
 * The ClusterRole (infra/rbac/functions.yaml) with what the vMCP runtime reads namespace-wide in dynamic
 * mode, Secrets among it. The functions only bind it (RBAC's bind verb, on this name alone), so they never
 * hold what it grants.
 */
export const RUNTIME_DISCOVERY_ROLE = "vmcp-lambda-runtime-discovery";
/** Marks children so one label-selected list per type finds them all (resync). */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "vmcp-lambda";
export const CONTENT_CHECKSUM = "toolhive.stacklok.dev/content-checksum";
export const RUNCONFIG_CHECKSUM = "toolhive.stacklok.dev/runconfig-checksum";
/** Hash of the last applied desired state, so an unchanged child is not written again. */
export const APPLIED_HASH = "vmcp-lambda.toolhive.stacklok.dev/applied";

export function childNames(name: string) {
  return {
    deployment: name,
    service: `vmcp-${name}`,
    configMap: `${name}-vmcp-config`,
    serviceAccount: `${name}-vmcp`,
    role: `${name}-vmcp`,
    roleBinding: `${name}-vmcp`,
    /** Binds RUNTIME_DISCOVERY_ROLE in the namespace (dynamic mode); upstream has no such child. */
    discoveryBinding: `${name}-vmcp-discovery`,
  };
}

export function statusUrl(name: string, namespace: string): string {
  return `http://vmcp-${name}.${namespace}.svc.cluster.local:${VMCP_PORT}`;
}

/** The labels of the Deployment, its selector and pod template, and the Service selector (upstream's set). */
export function workloadLabels(name: string): Record<string, string> {
  return {
    app: "virtualmcpserver",
    "app.kubernetes.io/name": "virtualmcpserver",
    "app.kubernetes.io/instance": name,
    toolhive: "true",
    "toolhive-name": name,
  };
}

export function childLabels(name: string): Record<string, string> {
  return { ...workloadLabels(name), [MANAGED_BY_LABEL]: MANAGED_BY };
}

export function controllerReference(vmcp: VirtualMCPServer) {
  return {
    apiVersion: API_VERSION,
    kind: "VirtualMCPServer",
    name: vmcp.metadata.name,
    uid: vmcp.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}
