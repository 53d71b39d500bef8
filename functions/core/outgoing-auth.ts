// Outgoing auth: MCPExternalAuthConfigs turned into the vMCP runtime's auth strategies. Secrets never pass
// through here: a strategy names the env var that a secretKeyRef fills in the vMCP pod.
import type { BackendAuth, ExternalAuthConfig, Workload } from "./toolhive.ts";

export type Strategy =
  | { type: "unauthenticated" }
  | { type: "header_injection"; headerInjection: { headerName: string; headerValueEnv: string } }
  | {
      type: "token_exchange";
      tokenExchange: {
        tokenUrl: string;
        clientId?: string;
        clientSecretEnv?: string;
        audience?: string;
        scopes?: string[];
        subjectTokenType?: string;
      };
    };

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

export function convertAuthConfig(config: ExternalAuthConfig): Resolved {
  const name = config.metadata.name;
  const { type, tokenExchange, headerInjection } = config.spec;
  if (type === "unauthenticated")
    return { ok: true, strategy: { type: "unauthenticated" }, configRef: name, env: [] };
  if (type === "headerInjection" && headerInjection?.headerName && headerInjection.valueSecretRef) {
    const env = {
      name: secretEnvName("TOOLHIVE_HEADER_INJECTION_VALUE", name),
      ...secretOf(headerInjection.valueSecretRef),
    };
    return {
      ok: true,
      strategy: {
        type: "header_injection",
        headerInjection: { headerName: headerInjection.headerName, headerValueEnv: env.name },
      },
      configRef: name,
      env: [env],
    };
  }
  if (type === "tokenExchange" && tokenExchange?.tokenUrl) {
    const secretRef = tokenExchange.clientSecretRef;
    const env = secretRef
      ? [{ name: secretEnvName("TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET", name), ...secretOf(secretRef) }]
      : [];
    const { tokenUrl, clientId, audience, scopes, subjectTokenType } = tokenExchange;
    return {
      ok: true,
      strategy: {
        type: "token_exchange",
        tokenExchange: {
          tokenUrl,
          ...(clientId ? { clientId } : {}),
          ...(env[0] ? { clientSecretEnv: env[0].name } : {}),
          ...(audience ? { audience } : {}),
          ...(scopes?.length ? { scopes } : {}),
          ...(subjectTokenType ? { subjectTokenType } : {}),
        },
      },
      configRef: name,
      env,
    };
  }
  const supported = ["tokenExchange", "headerInjection", "unauthenticated"].includes(type);
  return {
    ok: false,
    configRef: name,
    reason: supported
      ? `MCPExternalAuthConfig "${name}" of type ${type} lacks its ${type} settings`
      : `MCPExternalAuthConfig "${name}" has type ${type}, which the vMCP runtime cannot use for backends (tokenExchange, headerInjection or unauthenticated)`,
  };
}

const secretOf = (ref: { name: string; key: string }) => ({ secret: ref.name, key: ref.key });

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
