// Outgoing auth: MCPExternalAuthConfigs turned into the vMCP runtime's auth strategies. Secrets never pass
// through here: a strategy names the env var that a secretKeyRef fills in the vMCP pod.
import type { BackendAuth, ExternalAuthConfig, Workload } from "../kinds/toolhive.ts";

/** A backend auth strategy as the runtime's config.yaml spells it: `type` and that type's settings. */
export interface Strategy {
  readonly type: string;
  readonly [settings: string]: unknown;
}

export interface SecretEnv {
  readonly name: string;
  readonly secret: string;
  readonly key: string;
}

export type Resolved =
  | { ok: true; strategy: Strategy; configRef?: string; env: SecretEnv[] }
  | { ok: false; configRef?: string; reason: string };

/** TOOLHIVE_<KIND>_<CONFIG>: upstream's env var names, the config name upper-cased, non-alphanumerics as '_'. */
export function secretEnvName(prefix: string, configName: string): string {
  return `${prefix}_${configName.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

type Settings = Record<string, unknown>;

/** The listed settings that are set, in the runtime's spelling where it differs. */
const pick = (from: Settings, keys: readonly string[]): Settings =>
  Object.fromEntries(keys.filter((k) => from[k] !== undefined && from[k] !== "").map((k) => [k, from[k]]));

// The short forms upstream's converter expands; the runtime takes only the URNs.
const TOKEN_TYPES: Record<string, string> = {
  access_token: "urn:ietf:params:oauth:token-type:access_token",
  id_token: "urn:ietf:params:oauth:token-type:id_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
};

type Conversion = { strategy: Strategy; env: SecretEnv[] } | { reason: string };

/**
 * The VirtualMCPServer's embedded authorization server (spec.authServerConfig) as backend strategies see it:
 * the names of its upstream providers. Absent when the VirtualMCPServer has none.
 */
export interface AuthServer {
  readonly upstreams: readonly string[];
}

/** The runtime's name for an upstream provider: an unnamed one is "default" (authserver.ResolveUpstreamName). */
export const upstreamName = (name: unknown): string =>
  typeof name === "string" && name !== "" ? name : "default";

/** A secretKeyRef in an auth config, as the env var the vMCP pod gets it in. */
function secretEnv(prefix: string, config: string, ref: unknown): SecretEnv[] {
  const r = ref as { name?: string; key?: string } | undefined;
  return r?.name && r.key ? [{ name: secretEnvName(prefix, config), secret: r.name, key: r.key }] : [];
}

/** One converter per MCPExternalAuthConfig type the runtime can use for backends; declared once. */
const CONVERTERS: Record<string, (settings: Settings, name: string, server?: AuthServer) => Conversion> = {
  unauthenticated: () => ({ strategy: { type: "unauthenticated" }, env: [] }),
  headerInjection: (s, name) => {
    const env = secretEnv("TOOLHIVE_HEADER_INJECTION_VALUE", name, s.valueSecretRef);
    if (!s.headerName || !env[0]) return { reason: "needs headerInjection.headerName and valueSecretRef" };
    return {
      strategy: {
        type: "header_injection",
        headerInjection: { headerName: s.headerName, headerValueEnv: env[0].name },
      },
      env,
    };
  },
  tokenExchange: (s, name) => {
    if (!s.tokenUrl) return { reason: "needs tokenExchange.tokenUrl" };
    const env = secretEnv("TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET", name, s.clientSecretRef);
    const type = typeof s.subjectTokenType === "string" ? s.subjectTokenType : undefined;
    const settings = {
      ...pick(s, ["tokenUrl", "clientId", "audience", "subjectProviderName"]),
      ...(Array.isArray(s.scopes) && s.scopes.length ? { scopes: s.scopes } : {}),
      ...(type ? { subjectTokenType: TOKEN_TYPES[type] ?? type } : {}),
      ...(env[0] ? { clientSecretEnv: env[0].name } : {}),
    };
    return { strategy: { type: "token_exchange", tokenExchange: settings }, env };
  },
  awsSts: (s) => {
    if (!s.region) return { reason: "needs awsSts.region" };
    const mappings = Array.isArray(s.roleMappings) ? (s.roleMappings as Settings[]) : [];
    const settings = {
      ...pick(s, [
        "region",
        "service",
        "fallbackRoleArn",
        "roleClaim",
        "sessionDuration",
        "sessionNameClaim",
        "subjectProviderName",
      ]),
      ...(mappings.length
        ? { roleMappings: mappings.map((m) => pick(m, ["claim", "matcher", "roleArn", "priority"])) }
        : {}),
    };
    return { strategy: { type: "aws_sts", awsSts: settings }, env: [] };
  },
  xaa: (s, name) => {
    if (!s.idpTokenUrl || !s.targetTokenUrl || !s.targetAudience)
      return { reason: "needs xaa.idpTokenUrl, targetTokenUrl and targetAudience" };
    const idp = secretEnv("TOOLHIVE_XAA_IDP_CLIENT_SECRET", name, s.idpClientSecretRef);
    const target = secretEnv("TOOLHIVE_XAA_TARGET_CLIENT_SECRET", name, s.targetClientSecretRef);
    const type = typeof s.subjectTokenType === "string" ? s.subjectTokenType : undefined;
    const settings = {
      ...pick(s, [
        "idpTokenUrl",
        "idpClientId",
        "targetTokenUrl",
        "insecureTargetTokenUrl",
        "targetClientId",
        "targetAudience",
        "targetResource",
        "subjectProviderName",
      ]),
      ...(Array.isArray(s.scopes) && s.scopes.length ? { scopes: s.scopes } : {}),
      ...(type ? { subjectTokenType: TOKEN_TYPES[type] ?? type } : {}),
      ...(idp[0] ? { idpClientSecretEnv: idp[0].name } : {}),
      ...(target[0] ? { targetClientSecretEnv: target[0].name } : {}),
    };
    return { strategy: { type: "xaa", xaa: settings }, env: [...idp, ...target] };
  },
  // The runtime injects the token the embedded authorization server obtained from this upstream; without
  // one it refuses the configuration ("upstream_inject requires an embedded auth server"), and a provider
  // it does not have is refused too (ValidateAuthServerIntegration), so both are checked here.
  upstreamInject: (s, _name, server) => {
    if (!server)
      return {
        reason:
          "needs the VirtualMCPServer's embedded authorization server; set spec.authServerConfig with the upstream provider it names",
      };
    if (typeof s.providerName !== "string" || s.providerName === "")
      return { reason: "needs upstreamInject.providerName" };
    const provider = upstreamName(s.providerName);
    if (!server.upstreams.some((u) => upstreamName(u) === provider))
      return {
        reason: `names providerName "${s.providerName}", which is not among spec.authServerConfig.upstreamProviders (${server.upstreams.map(upstreamName).join(", ") || "none"})`,
      };
    return {
      strategy: { type: "upstream_inject", upstreamInject: { providerName: s.providerName } },
      env: [],
    };
  },
};

/** Types an MCPExternalAuthConfig may have that give no backend strategy here, and why. */
// Upstream's operator has no converter for bearerToken or embeddedAuthServer ("unsupported auth type"),
// and its obo converter fails in every open-source build, the runtimes vmcp-lambda deploys included.
const NOT_CONVERTED: Record<string, string> = {
  obo: "is available only in ToolHive Enterprise's vMCP runtime; the open-source runtime (v0.44.0 and v0.47.0 alike) refuses it: on-behalf-of (OBO) external auth type requires an enterprise build",
  bearerToken:
    "is for MCPRemoteProxy, not for vMCP backends; ToolHive's operator refuses it here too (unsupported auth type)",
  embeddedAuthServer:
    "configures an authorization server, not a backend's credentials; a VirtualMCPServer embeds one through spec.authServerConfig, and ToolHive's operator refuses this type as backend auth too (unsupported auth type)",
};

// The strategy types that exchange the subject token of an embedded authorization server's upstream.
const SUBJECT_KEYS: Record<string, string> = {
  token_exchange: "tokenExchange",
  aws_sts: "awsSts",
  xaa: "xaa",
};

/**
 * With an embedded authorization server, a strategy that names no subject provider takes the first
 * upstream's token, as upstream's operator and runtime default it (DefaultSubjectProviderName); for xaa
 * that is ambiguous with several upstreams, and the runtime refuses to start.
 */
function withSubjectProvider(converted: Conversion, server: AuthServer | undefined): Conversion {
  if ("reason" in converted || !server?.upstreams.length) return converted;
  const key = SUBJECT_KEYS[converted.strategy.type];
  const settings = key ? (converted.strategy[key] as Settings) : undefined;
  if (!key || !settings || settings.subjectProviderName) return converted;
  if (key === "xaa" && server.upstreams.length > 1)
    return {
      reason:
        "needs xaa.subjectProviderName: the embedded authorization server has more than one upstream, so which one's token to exchange must be said",
    };
  const subjectProviderName = upstreamName(server.upstreams[0]);
  return { ...converted, strategy: { ...converted.strategy, [key]: { ...settings, subjectProviderName } } };
}

export function convertAuthConfig(config: ExternalAuthConfig, server?: AuthServer): Resolved {
  const name = config.metadata.name;
  const type = config.spec.type;
  const convert = CONVERTERS[type];
  if (!convert) {
    const why = NOT_CONVERTED[type] ?? "is not an auth type vmcp-lambda knows";
    return {
      ok: false,
      configRef: name,
      reason: `MCPExternalAuthConfig "${name}" has type ${type}, which ${why}; backends take ${Object.keys(CONVERTERS).join(", ")}`,
    };
  }
  const settings = ((config.spec as Settings)[type] ?? {}) as Settings;
  const converted = withSubjectProvider(convert(settings, name, server), server);
  return "reason" in converted
    ? {
        ok: false,
        configRef: name,
        reason: `MCPExternalAuthConfig "${name}" of type ${type} ${converted.reason}`,
      }
    : { ok: true, strategy: converted.strategy, configRef: name, env: converted.env };
}

export type AuthConfigs = ReadonlyMap<string, ExternalAuthConfig>;

function byReference(name: string, configs: AuthConfigs, server?: AuthServer): Resolved {
  const config = configs.get(name);
  return config
    ? convertAuthConfig(config, server)
    : { ok: false, configRef: name, reason: `MCPExternalAuthConfig "${name}" not found` };
}

/** A spec-level BackendAuth; `discovered` falls back to what the member itself references. */
export function resolveBackendAuth(
  auth: BackendAuth,
  configs: AuthConfigs,
  member?: Workload,
  server?: AuthServer,
): Resolved {
  if (auth.type === "externalAuthConfigRef" && auth.externalAuthConfigRef?.name) {
    return byReference(auth.externalAuthConfigRef.name, configs, server);
  }
  const discovered = member?.spec.externalAuthConfigRef?.name;
  return discovered
    ? byReference(discovered, configs, server)
    : { ok: true, strategy: { type: "unauthenticated" }, env: [] };
}

/**
 * The strategy for one backend in static mode: a per-backend override, else the member's own
 * externalAuthConfigRef, else the default, else unauthenticated.
 */
export function resolveMemberAuth(
  member: Workload,
  outgoing: { default?: BackendAuth; backends?: Record<string, BackendAuth> } | undefined,
  configs: AuthConfigs,
  server?: AuthServer,
): Resolved {
  const override = outgoing?.backends?.[member.metadata.name];
  if (override) return resolveBackendAuth(override, configs, member, server);
  if (member.spec.externalAuthConfigRef?.name)
    return byReference(member.spec.externalAuthConfigRef.name, configs, server);
  if (outgoing?.default) return resolveBackendAuth(outgoing.default, configs, undefined, server);
  return { ok: true, strategy: { type: "unauthenticated" }, env: [] };
}
