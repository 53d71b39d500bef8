// The vMCP runtime's configuration (ConfigMap key config.yaml): spec.config fitted to what the runtime of
// the deployed version knows, the CR's own fields laid over it in the runtime's forms, operational and
// aggregation defaults filled in, and in static mode the discovered backends and their auth.
// Deterministic: keys are sorted and backends come sorted, so the same input always gives the same bytes.
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { isTree, sortKeys, type Tree } from "../kinds/json-tree.ts";
import { type BackendAuth, groupOf, type Mode, type VirtualMCPServer } from "../kinds/toolhive.ts";
import type { Backend, Discovery } from "./discovery.ts";
import {
  type AuthConfigs,
  type AuthServer,
  resolveBackendAuth,
  type SecretEnv,
  type Strategy,
} from "./outgoing-auth.ts";

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

/** The runtime requires conflictResolutionConfig whatever the strategy; upstream fills it the same way. */
function aggregation(written: unknown): Tree {
  const given = isTree(written) ? written : {};
  const strategy = typeof given.conflictResolution === "string" ? given.conflictResolution : "prefix";
  const resolution = isTree(given.conflictResolutionConfig) ? given.conflictResolutionConfig : {};
  return {
    ...given,
    conflictResolution: strategy,
    conflictResolutionConfig:
      strategy === "prefix" ? { prefixFormat: "{workload}_", ...resolution } : resolution,
  };
}

/**
 * Incoming auth as the spec gives it inline; oidc is refused earlier (renderable.ts), and authz by reference
 * (an MCPAuthzConfig, a ConfigMap) is laid over this by its resolver (core/references).
 */
function incomingAuth(spec: VirtualMCPServer["spec"]): Tree {
  const incoming = spec.incomingAuth ?? {};
  const result: Tree = { type: incoming.type ?? "anonymous" };
  const authz = incoming.authzConfig as Tree | undefined;
  if (authz?.type === "inline" && isTree(authz.inline)) {
    const { policies, entitiesJson } = authz.inline;
    result.authz = {
      type: "cedar",
      ...(policies === undefined ? {} : { policies }),
      ...(entitiesJson === undefined ? {} : { entitiesJson }),
      ...Object.fromEntries(
        ["groupClaimName", "roleClaimName", "groupEntityType"]
          .filter((k) => typeof authz[k] === "string" && authz[k] !== "")
          .map((k) => [k, authz[k]]),
      ),
    };
  }
  return result;
}

/** Spec-level auth in the runtime's strategy form; both modes (the runtime takes no CRD-form references). */
function outgoingAuth(
  vmcp: VirtualMCPServer,
  mode: Mode,
  discovery: Discovery | undefined,
  configs: AuthConfigs,
  server: AuthServer | undefined,
): Tree {
  const outgoing = vmcp.spec.outgoingAuth;
  const strategy = (auth: BackendAuth) => {
    const resolved = resolveBackendAuth(auth, configs, undefined, server);
    return resolved.ok ? resolved.strategy : undefined;
  };
  const fallback = outgoing?.default ? strategy(outgoing.default) : undefined;
  const backends: Record<string, Strategy> = {};
  if (mode === "static") {
    for (const backend of discovery?.backends ?? []) backends[backend.name] = backend.strategy;
  } else {
    // The runtime resolves each discovered member's own auth; only what the spec names is written.
    for (const [name, auth] of Object.entries(outgoing?.backends ?? {})) {
      const resolved = strategy(auth);
      if (resolved) backends[name] = resolved;
    }
  }
  return {
    source: mode === "static" ? "inline" : "discovered",
    ...(fallback ? { default: fallback } : {}),
    ...(Object.keys(backends).length > 0 ? { backends } : {}),
  };
}

/** spec.sessionStorage as the runtime's sessionStorage; the password reaches the pod as env (SESSION_PASSWORD_ENV). */
function sessionStorage(spec: VirtualMCPServer["spec"]): Tree | undefined {
  const storage = spec.sessionStorage as Tree | undefined;
  if (storage?.provider !== "redis") return undefined;
  return Object.fromEntries(
    ["provider", "address", "db", "keyPrefix"]
      .filter((k) => storage[k] !== undefined)
      .map((k) => [k, storage[k]]),
  );
}

export const SESSION_PASSWORD_ENV = "THV_SESSION_REDIS_PASSWORD";

/** The Redis password as a secretKeyRef env of the vMCP pod, when spec.sessionStorage names one. */
export function sessionStorageEnv(vmcp: VirtualMCPServer): SecretEnv[] {
  const ref = (vmcp.spec.sessionStorage as { passwordRef?: { name?: string; key?: string } } | undefined)
    ?.passwordRef;
  return ref?.name && ref.key ? [{ name: SESSION_PASSWORD_ENV, secret: ref.name, key: ref.key }] : [];
}

/** metadata.workload_type of a static backend, in the words upstream's discoverer uses. */
const WORKLOAD_TYPES: Record<Backend["kind"], string> = {
  MCPServer: "mcp_server",
  MCPRemoteProxy: "remote_proxy",
  MCPServerEntry: "server_entry",
};

export function runtimeConfig(
  vmcp: VirtualMCPServer,
  mode: Mode,
  discovery: Discovery | undefined,
  configs: AuthConfigs,
  /** spec.config as fitted to the runtime's keys (fitSpecConfig), the base the spec's fields go over. */
  fitted: Tree,
  server?: AuthServer,
): Tree {
  const config: Tree = { ...fitted };
  const namespace = vmcp.metadata.namespace ?? "";
  config.name = vmcp.metadata.name;
  config.groupRef = groupOf(vmcp);
  config.incomingAuth = incomingAuth(vmcp.spec);
  config.outgoingAuth = outgoingAuth(vmcp, mode, discovery, configs, server);
  config.aggregation = aggregation(config.aggregation);
  config.operational = mergeTrees(OPERATIONAL_DEFAULTS, isTree(config.operational) ? config.operational : {});
  const headers = vmcp.spec.passthroughHeaders as unknown;
  if (Array.isArray(headers) && headers.length > 0) config.passthroughHeaders = headers;
  const storage = sessionStorage(vmcp.spec);
  if (storage) config.sessionStorage = storage;
  if (mode === "static") {
    config.backends = (discovery?.backends ?? []).map((b) => ({
      name: b.name,
      url: b.url,
      transport: b.transport,
      // An entry is reached directly, so it says so: only then does the runtime take a caBundlePath.
      ...(b.kind === "MCPServerEntry" ? { type: "entry" } : {}),
      ...(b.caBundlePath ? { caBundlePath: b.caBundlePath } : {}),
      metadata: { group: config.groupRef, namespace, workload_type: WORKLOAD_TYPES[b.kind] },
    }));
  }
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
