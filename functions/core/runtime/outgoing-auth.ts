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

/** A secretKeyRef in an auth config, as the env var the vMCP pod gets it in. */
function secretEnv(prefix: string, config: string, ref: unknown): SecretEnv[] {
  const r = ref as { name?: string; key?: string } | undefined;
  return r?.name && r.key ? [{ name: secretEnvName(prefix, config), secret: r.name, key: r.key }] : [];
}

/** One converter per MCPExternalAuthConfig type the runtime can use for backends; declared once. */
const CONVERTERS: Record<string, (settings: Settings, name: string) => Conversion> = {
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
};

/** Types an MCPExternalAuthConfig may have that give no backend strategy here, and why. */
const NOT_CONVERTED: Record<string, string> = {
  upstreamInject:
    "needs the embedded authorization server (spec.authServerConfig), not rendered by vmcp-lambda yet",
  obo: "is available only in ToolHive Enterprise's vMCP runtime",
  bearerToken: "is for MCPRemoteProxy, not for vMCP backends",
  embeddedAuthServer: "configures an authorization server, not a backend's credentials",
};

export function convertAuthConfig(config: ExternalAuthConfig): Resolved {
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
  const converted = convert(settings, name);
  return "reason" in converted
    ? {
        ok: false,
        configRef: name,
        reason: `MCPExternalAuthConfig "${name}" of type ${type} ${converted.reason}`,
      }
    : { ok: true, strategy: converted.strategy, configRef: name, env: converted.env };
}

export type AuthConfigs = ReadonlyMap<string, ExternalAuthConfig>;

function byReference(name: string, configs: AuthConfigs): Resolved {
  const config = configs.get(name);
  return config
    ? convertAuthConfig(config)
    : { ok: false, configRef: name, reason: `MCPExternalAuthConfig "${name}" not found` };
}

/** A spec-level BackendAuth; `discovered` falls back to what the member itself references. */
export function resolveBackendAuth(auth: BackendAuth, configs: AuthConfigs, member?: Workload): Resolved {
  if (auth.type === "externalAuthConfigRef" && auth.externalAuthConfigRef?.name) {
    return byReference(auth.externalAuthConfigRef.name, configs);
  }
  const discovered = member?.spec.externalAuthConfigRef?.name;
  return discovered
    ? byReference(discovered, configs)
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
): Resolved {
  const override = outgoing?.backends?.[member.metadata.name];
  if (override) return resolveBackendAuth(override, configs, member);
  if (member.spec.externalAuthConfigRef?.name)
    return byReference(member.spec.externalAuthConfigRef.name, configs);
  if (outgoing?.default) return resolveBackendAuth(outgoing.default, configs);
  return { ok: true, strategy: { type: "unauthenticated" }, env: [] };
}
