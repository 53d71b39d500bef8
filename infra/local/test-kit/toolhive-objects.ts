// ToolHive's objects for tests and benchmarks, one builder per kind. Each kind is one entry of KINDS: its
// default spec, the least a valid object of it holds (what its CRD requires, a member in the default group);
// a test overrides what it is about. The apiVersion is the API table's; every kind of the table of related
// kinds must have an entry (the type checker says which is missing), so a new related kind gets a builder.
import type { ObjectMeta } from "../../../functions/core/kinds/kubernetes.ts";
import { isKind, RESOURCES } from "../../../functions/core/kinds/resources.ts";
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
type RelatedKind = (typeof RELATED)[RelatedField]["kinds"][number];
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
