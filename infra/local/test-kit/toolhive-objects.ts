// ToolHive's objects for tests and benchmarks, one builder per kind. Each kind is one entry of KINDS: its
// default spec, the least a valid object of it holds (what its CRD requires, a member in the default group);
// a test overrides what it is about. The apiVersion is the API table's; every kind of the table of related
// kinds must have an entry (the type checker says which is missing), so a new related kind gets a builder;
// the Kubernetes kinds among them (a ConfigMap, which has data, not a spec) have their own builders below.
import type { MCPAuthzConfig } from "../../../functions/core/kinds/authz-config.ts";
import type { VirtualMCPCompositeToolDefinition } from "../../../functions/core/kinds/composite-tool-definition.ts";
import type { EmbeddingServer } from "../../../functions/core/kinds/embedding-server.ts";
import type { ConfigMap, ObjectMeta } from "../../../functions/core/kinds/kubernetes.ts";
import type { MCPOIDCConfig } from "../../../functions/core/kinds/oidc-config.ts";
import { isKind, RESOURCES } from "../../../functions/core/kinds/resources.ts";
import type { MCPTelemetryConfig } from "../../../functions/core/kinds/telemetry-config.ts";
import type { MCPToolConfig } from "../../../functions/core/kinds/tool-config.ts";
import type {
  ExternalAuthConfig,
  MCPGroup,
  ServerEntry,
  VirtualMCPServer,
  Workload,
} from "../../../functions/core/kinds/toolhive.ts";
import type { RELATED, RelatedField } from "../../../functions/core/reconcile/related-kinds.ts";

/** For the kinds the functions do not touch yet (not in the API table). */
const TOOLHIVE_API_VERSION = "toolhive.stacklok.dev/v1beta1";
/** Where a test object lives unless the test names another namespace or group. */
const NAMESPACE = "tools";
const GROUP = "team-a";

type Spec = Record<string, unknown>;
/** The related kinds that are ToolHive's (the core kinds among them are Kubernetes' own). */
type RelatedKind = Exclude<(typeof RELATED)[RelatedField]["kinds"][number], "ConfigMap">;
/** A kind's default spec, from the object's name and group. */
type DefaultSpec = (name: string, group: string) => Spec;

const KINDS = {
  VirtualMCPServer: (_name: string, group: string): Spec => ({
    groupRef: { name: group },
    incomingAuth: { type: "anonymous" },
  }),
  MCPGroup: (): Spec => ({}),
  MCPServer: (name: string, group: string): Spec => ({
    image: `example/${name}:1`,
    groupRef: { name: group },
    transport: "streamable-http",
  }),
  MCPRemoteProxy: (name: string, group: string): Spec => ({
    remoteUrl: `https://${name}.example.com/mcp`,
    groupRef: { name: group },
    transport: "streamable-http",
  }),
  MCPServerEntry: (name: string, group: string): Spec => ({
    remoteUrl: `https://${name}.example.com/mcp`,
    groupRef: { name: group },
    transport: "streamable-http",
  }),
  MCPExternalAuthConfig: (): Spec => ({ type: "unauthenticated" }),
  MCPToolConfig: (): Spec => ({ toolsFilter: ["echo"] }),
  EmbeddingServer: (): Spec => ({}),
  MCPOIDCConfig: (): Spec => ({
    type: "inline",
    inline: { issuer: "https://auth.example.com", clientId: "vmcp" },
  }),
  MCPTelemetryConfig: (): Spec => ({
    openTelemetry: { enabled: true, endpoint: "otel-collector:4318", tracing: { enabled: true } },
  }),
  VirtualMCPCompositeToolDefinition: (name: string): Spec => ({
    name: name.replaceAll("-", "_"),
    description: `The ${name} workflow`,
    steps: [{ id: "first", type: "tool", tool: "echo", arguments: { message: "{{.params.text}}" } }],
  }),
  MCPAuthzConfig: (): Spec => ({
    type: "cedarv1",
    config: { policies: ['permit(principal, action == Action::"tools/call", resource);'] },
  }),
} satisfies Record<"VirtualMCPServer" | RelatedKind, DefaultSpec> & Record<string, DefaultSpec>;

export type ToolHiveKind = keyof typeof KINDS;

/** What a test says about its object; everything else is the kind's default. */
export interface Overrides<S = Spec, Status = Record<string, unknown>> {
  readonly namespace?: string;
  /** The group named by spec.groupRef (members and VirtualMCPServers). */
  readonly group?: string;
  /** Merged over name and namespace: uid, generation, labels, resourceVersion as the API server sets them. */
  readonly metadata?: Partial<ObjectMeta>;
  /** Merged over the default spec key by key. Keys whose value is undefined are left out, as JSON would,
   * so `{ transport: undefined }` removes a default. */
  readonly spec?: Partial<S> & Spec;
  readonly status?: Status;
}

type Typed<K extends ToolHiveKind> = { apiVersion: string; kind: K; metadata: ObjectMeta; spec: Spec };

function builder<K extends ToolHiveKind, T>(kind: K) {
  return (name: string, overrides: Overrides<T extends { spec: infer S } ? S : Spec> = {}): T & Typed<K> => {
    const { namespace = NAMESPACE, group = GROUP, metadata, spec, status } = overrides;
    const merged = { ...KINDS[kind](name, group), ...spec };
    return {
      apiVersion: isKind(kind) ? RESOURCES[kind].apiVersion : TOOLHIVE_API_VERSION,
      kind,
      metadata: { name, namespace, ...metadata },
      spec: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
      ...(status ? { status } : {}),
    } as T & Typed<K>;
  };
}

export const virtualMCPServer = builder<"VirtualMCPServer", VirtualMCPServer>("VirtualMCPServer");
export const mcpGroup = builder<"MCPGroup", MCPGroup>("MCPGroup");
export const mcpServer = builder<"MCPServer", Workload & { kind: "MCPServer" }>("MCPServer");
export const mcpRemoteProxy = builder<"MCPRemoteProxy", Workload & { kind: "MCPRemoteProxy" }>(
  "MCPRemoteProxy",
);
export const mcpServerEntry = builder<"MCPServerEntry", ServerEntry>("MCPServerEntry");
export const mcpExternalAuthConfig = builder<"MCPExternalAuthConfig", ExternalAuthConfig>(
  "MCPExternalAuthConfig",
);

export const mcpToolConfig = builder<"MCPToolConfig", MCPToolConfig>("MCPToolConfig");
export const embeddingServer = builder<"EmbeddingServer", EmbeddingServer>("EmbeddingServer");
export const mcpOIDCConfig = builder<"MCPOIDCConfig", MCPOIDCConfig>("MCPOIDCConfig");

export const mcpTelemetryConfig = builder<"MCPTelemetryConfig", MCPTelemetryConfig>("MCPTelemetryConfig");

export const compositeToolDefinition = builder<
  "VirtualMCPCompositeToolDefinition",
  VirtualMCPCompositeToolDefinition
>("VirtualMCPCompositeToolDefinition");
export const mcpAuthzConfig = builder<"MCPAuthzConfig", MCPAuthzConfig>("MCPAuthzConfig");

/** A ConfigMap a spec names, with the data given. */
export function configMap(
  name: string,
  data: Record<string, string>,
  overrides: { namespace?: string; metadata?: Partial<ObjectMeta> } = {},
): ConfigMap & { apiVersion: string; kind: "ConfigMap" } {
  return {
    apiVersion: RESOURCES.ConfigMap.apiVersion,
    kind: "ConfigMap",
    metadata: { name, namespace: overrides.namespace ?? NAMESPACE, ...overrides.metadata },
    data,
  };
}

/** An authorization config as a ConfigMap's key holds it (JSON): Cedar, with the policies given. */
export function cedarAuthzJson(policies: readonly string[], cedar: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: "1.0", type: "cedarv1", cedar: { policies, ...cedar } });
}

/** An MCPExternalAuthConfig spec that injects the X-API-Key header from a key of a Secret. */
export function headerInjection(secret = "creds", key = "api-key"): Spec {
  return {
    type: "headerInjection",
    headerInjection: { headerName: "X-API-Key", valueSecretRef: { name: secret, key } },
  };
}

/** An MCPExternalAuthConfig spec that exchanges the caller's token at an identity provider. */
export function tokenExchange(): Spec {
  return {
    type: "tokenExchange",
    tokenExchange: {
      tokenUrl: "https://idp/token",
      clientId: "vmcp",
      clientSecretRef: { name: "creds", key: "secret" },
      audience: "api",
    },
  };
}
