// The vMCP runtime's configuration (ConfigMap key config.yaml): spec.config with the CR's own fields laid
// over it, operational defaults filled in, and in static mode the discovered backends and their auth.
// Deterministic: keys are sorted and backends come sorted, so the same input always gives the same bytes.
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { Discovery } from "./discovery.ts";
import { isTree, sortKeys, type Tree } from "./json-tree.ts";
import { type AuthConfigs, resolveBackendAuth, type Strategy } from "./outgoing-auth.ts";
import { groupOf, type Mode, type VirtualMCPServer } from "./toolhive.ts";

/** `over` wins; trees merge key by key, anything else is replaced whole. */
function mergeTrees(under: Tree, over: Tree): Tree {
  const merged: Tree = { ...under };
  for (const [key, value] of Object.entries(over)) {
    merged[key] = isTree(value) && isTree(merged[key]) ? mergeTrees(merged[key] as Tree, value) : value;
  }
  return merged;
}

const OPERATIONAL_DEFAULTS: Tree = {
  timeouts: { default: "30s" },
  failureHandling: {
    healthCheckInterval: "30s",
    unhealthyThreshold: 3,
    statusReportingInterval: "30s",
    partialFailureMode: "fail",
    circuitBreaker: { enabled: false, failureThreshold: 5, timeout: "60s" },
  },
};

const AGGREGATION_DEFAULTS: Tree = {
  conflictResolution: "prefix",
  conflictResolutionConfig: { prefixFormat: "{workload}_" },
};

function incomingAuth(spec: VirtualMCPServer["spec"]): Tree {
  const incoming = spec.incomingAuth ?? {};
  const result: Tree = { type: incoming.type ?? "anonymous" };
  const oidc = incoming.oidcConfigRef;
  if (incoming.type === "oidc" && oidc) {
    const { name, ...settings } = oidc;
    result.oidc = { ...settings, configRef: name };
  }
  const authz = incoming.authzConfig as Tree | undefined;
  if (authz?.type === "inline" && isTree(authz.inline)) result.authz = { type: "cedar", ...authz.inline };
  else if (authz) result.authz = authz;
  if (incoming.authzConfigRef) result.authz = { type: "cedar", configRef: incoming.authzConfigRef.name };
  return result;
}

function outgoingAuth(
  vmcp: VirtualMCPServer,
  mode: Mode,
  discovery: Discovery | undefined,
  configs: AuthConfigs,
): Tree {
  const outgoing = vmcp.spec.outgoingAuth;
  if (mode === "dynamic") {
    // The runtime resolves auth itself; it gets the spec as written.
    return {
      source: outgoing?.source || "discovered",
      ...(outgoing?.default ? { default: outgoing.default } : {}),
      ...(outgoing?.backends ? { backends: outgoing.backends } : {}),
    };
  }
  const backends: Record<string, Strategy> = {};
  for (const backend of discovery?.backends ?? []) backends[backend.name] = backend.strategy;
  const fallback = outgoing?.default ? resolveBackendAuth(outgoing.default, configs) : undefined;
  return { source: "inline", ...(fallback?.ok ? { default: fallback.strategy } : {}), backends };
}

export function runtimeConfig(
  vmcp: VirtualMCPServer,
  mode: Mode,
  discovery: Discovery | undefined,
  configs: AuthConfigs,
): Tree {
  const config: Tree = { ...(vmcp.spec.config ?? {}) };
  const namespace = vmcp.metadata.namespace ?? "";
  config.name = vmcp.metadata.name;
  config.groupRef = groupOf(vmcp);
  config.incomingAuth = incomingAuth(vmcp.spec);
  config.outgoingAuth = outgoingAuth(vmcp, mode, discovery, configs);
  config.aggregation = isTree(config.aggregation)
    ? mergeTrees({ conflictResolution: "prefix" }, config.aggregation)
    : AGGREGATION_DEFAULTS;
  config.operational = mergeTrees(OPERATIONAL_DEFAULTS, isTree(config.operational) ? config.operational : {});
  if (mode === "static") {
    config.backends = (discovery?.backends ?? []).map((b) => ({
      name: b.name,
      url: b.url,
      transport: b.transport,
      metadata: {
        group: config.groupRef,
        namespace,
        workload_type: b.kind === "MCPServer" ? "mcp_server" : "remote_proxy",
      },
    }));
  } else delete config.backends;
  return config;
}

export function renderRuntimeConfig(config: Tree): string {
  return stringify(sortKeys(config), { lineWidth: 0 });
}

/** Upstream's content checksum: SHA-256 over sorted data, labels and annotations (this one excluded). */
export function contentChecksum(
  data: Record<string, string>,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): string {
  const hash = createHash("sha256");
  const feed = (map: Record<string, string>) => {
    for (const key of Object.keys(map).sort()) hash.update(`${key}=${map[key]}\n`);
  };
  feed(data);
  feed(labels);
  feed(annotations);
  return hash.digest("hex");
}
