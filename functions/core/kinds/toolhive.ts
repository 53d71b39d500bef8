// ToolHive's custom resources, as far as vmcp-lambda reads them. Parsing is lenient on purpose: objects
// may come from ToolHive's own CRDs (older spellings included) or bypass the webhook; what is wrong with a
// spec is reported by validation, with field paths, not by a parse failure.
import { z } from "zod";
import { Condition, ObjectMeta } from "./kubernetes.ts";

const NameRef = z.looseObject({ name: z.string() });
const SecretKeyRef = z.looseObject({ name: z.string(), key: z.string() });

export const BackendAuth = z.looseObject({
  type: z.string(),
  externalAuthConfigRef: NameRef.optional(),
});
export type BackendAuth = z.infer<typeof BackendAuth>;

export const OutgoingAuth = z.looseObject({
  source: z.string().optional(),
  default: BackendAuth.optional(),
  backends: z.record(z.string(), BackendAuth).optional(),
});
export type OutgoingAuth = z.infer<typeof OutgoingAuth>;

export const DiscoveredBackend = z.looseObject({
  name: z.string(),
  url: z.string().optional(),
  status: z.string().optional(),
  authConfigRef: z.string().optional(),
  authType: z.string().optional(),
  lastHealthCheck: z.string().optional(),
  message: z.string().optional(),
});
export type DiscoveredBackend = z.infer<typeof DiscoveredBackend>;

/** What a v0.47+ runtime reports into status.runtime. */
export const RuntimeStatus = z.looseObject({
  phase: z.string().optional(),
  message: z.string().optional(),
  backendCount: z.number().int().optional(),
  discoveredBackends: z.array(DiscoveredBackend).optional(),
  conditions: z.array(Condition).optional(),
});
export type RuntimeStatus = z.infer<typeof RuntimeStatus>;

export const VirtualMCPServer = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    groupRef: NameRef.partial().optional(),
    incomingAuth: z
      .looseObject({
        type: z.string().optional(),
        oidcConfigRef: z
          .looseObject({ name: z.string().optional(), audience: z.string().optional() })
          .optional(),
        authzConfig: z.looseObject({ type: z.string().optional() }).optional(),
        authzConfigRef: NameRef.optional(),
      })
      .optional(),
    outgoingAuth: OutgoingAuth.optional(),
    serviceType: z.string().optional(),
    sessionAffinity: z.string().optional(),
    serviceAccount: z.string().optional(),
    podTemplateSpec: z.record(z.string(), z.unknown()).optional(),
    replicas: z.number().int().optional(),
    imagePullSecrets: z.array(z.looseObject({ name: z.string().optional() })).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  }),
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional(),
      phase: z.string().optional(),
      message: z.string().optional(),
      url: z.string().optional(),
      backendCount: z.number().int().optional(),
      discoveredBackends: z.array(DiscoveredBackend).optional(),
      conditions: z.array(Condition).optional(),
      runtime: RuntimeStatus.optional(),
    })
    .optional(),
});
export type VirtualMCPServer = z.infer<typeof VirtualMCPServer>;

export const MCPGroup = z.looseObject({
  metadata: ObjectMeta,
  status: z.looseObject({ phase: z.string().optional() }).optional(),
});
export type MCPGroup = z.infer<typeof MCPGroup>;

/** The kinds whose objects join a group by spec.groupRef: its members, i.e. the backends. */
export const MEMBER_KINDS = ["MCPServer", "MCPRemoteProxy", "MCPServerEntry"] as const;

// v1beta1 spells it {name}; ToolHive before it wrote a plain string (MCPServerEntry never had it).
const GroupRef = z.union([z.string(), NameRef.partial()]);

/** An MCPServer or MCPRemoteProxy: a member ToolHive runs a proxy for, reached at its status.url. */
export const ProxiedWorkload = z.looseObject({
  kind: z.enum(["MCPServer", "MCPRemoteProxy"]),
  metadata: ObjectMeta,
  spec: z.looseObject({
    groupRef: GroupRef.optional(),
    transport: z.string().optional(),
    proxyMode: z.string().optional(),
    externalAuthConfigRef: NameRef.optional(),
  }),
  status: z.looseObject({ phase: z.string().optional(), url: z.string().optional() }).optional(),
});
export type ProxiedWorkload = z.infer<typeof ProxiedWorkload>;

/**
 * An MCPServerEntry: a remote MCP server a group lists directly, with nothing deployed for it. The vMCP pod
 * connects to spec.remoteUrl itself, with the entry's CA bundle and headers; ToolHive's entry controller
 * checks its references and says Valid, Pending or Failed in status.phase.
 */
export const ServerEntry = z.looseObject({
  kind: z.literal("MCPServerEntry"),
  metadata: ObjectMeta,
  spec: z.looseObject({
    groupRef: GroupRef.optional(),
    remoteUrl: z.string().optional(),
    transport: z.string().optional(),
    externalAuthConfigRef: NameRef.optional(),
    caBundleRef: z
      .looseObject({
        configMapRef: z.looseObject({ name: z.string().optional(), key: z.string().optional() }).optional(),
      })
      .optional(),
    headerForward: z
      .looseObject({
        addPlaintextHeaders: z.record(z.string(), z.string()).optional(),
        addHeadersFromSecret: z
          .array(z.looseObject({ headerName: z.string(), valueSecretRef: SecretKeyRef.optional() }))
          .optional(),
      })
      .optional(),
  }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      // Read for their messages only, so any shape of condition is kept.
      conditions: z
        .array(z.looseObject({ type: z.string().optional(), message: z.string().optional() }))
        .optional(),
    })
    .optional(),
});
export type ServerEntry = z.infer<typeof ServerEntry>;

/** A member of a group, i.e. a backend: told apart by its kind. */
export const Workload = z.discriminatedUnion("kind", [ProxiedWorkload, ServerEntry]);
export type Workload = z.infer<typeof Workload>;

export const ExternalAuthConfig = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    type: z.string(),
    tokenExchange: z
      .looseObject({
        tokenUrl: z.string().optional(),
        clientId: z.string().optional(),
        clientSecretRef: SecretKeyRef.optional(),
        audience: z.string().optional(),
        scopes: z.array(z.string()).optional(),
        subjectTokenType: z.string().optional(),
        subjectProviderName: z.string().optional(),
        externalTokenHeaderName: z.string().optional(),
      })
      .optional(),
    headerInjection: z
      .looseObject({ headerName: z.string().optional(), valueSecretRef: SecretKeyRef.optional() })
      .optional(),
    // Copied to the runtime field by field; of these only xaa holds secrets, as references.
    awsSts: z.looseObject({ region: z.string().optional() }).optional(),
    upstreamInject: z.looseObject({ providerName: z.string().optional() }).optional(),
    xaa: z
      .looseObject({
        idpTokenUrl: z.string().optional(),
        targetTokenUrl: z.string().optional(),
        targetAudience: z.string().optional(),
        idpClientSecretRef: SecretKeyRef.optional(),
        targetClientSecretRef: SecretKeyRef.optional(),
      })
      .optional(),
  }),
});
export type ExternalAuthConfig = z.infer<typeof ExternalAuthConfig>;

export function workloadGroup(workload: Workload): string | undefined {
  const ref = workload.spec.groupRef;
  return typeof ref === "string" ? ref : ref?.name;
}

/** The group a VirtualMCPServer aggregates: spec.groupRef.name, else the deprecated spec.config.groupRef. */
export function groupOf(vmcp: VirtualMCPServer): string | undefined {
  const legacy = vmcp.spec.config?.groupRef;
  return vmcp.spec.groupRef?.name || (typeof legacy === "string" ? legacy : undefined) || undefined;
}

export { outgoingAuthEntries } from "./outgoing-auth-entries.ts";

export type Mode = "static" | "dynamic";

/** Static when outgoing auth is inline; absent, empty or 'discovered' is dynamic (upstream's rule). */
export function modeOf(vmcp: VirtualMCPServer): Mode {
  return vmcp.spec.outgoingAuth?.source === "inline" ? "static" : "dynamic";
}
