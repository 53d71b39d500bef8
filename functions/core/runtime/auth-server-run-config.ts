// spec.authServerConfig as the vMCP runtime loads it: the file authserver-config.yaml beside config.yaml
// (the runtime reads it from the config file's directory, pkg/vmcp/cli/serve.go loadAuthServerConfig), in
// authserver.RunConfig's snake_case keys, with the paths and env var names ToolHive's operator gives
// (controllerutil BuildAuthServerRunConfig, GenerateAuthServerVolumes, GenerateAuthServerEnvVars). The file
// holds only references: signing keys and HMAC secrets reach the pod as Secret volumes, client secrets as
// secretKeyRef env.
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { authServerConfigOf, treesOf } from "./auth-server.ts";
import type { SecretEnv } from "./outgoing-auth.ts";
import { type ConfigMapMount, configMapFile, type PodAdditions, type SecretVolume } from "./pod-additions.ts";

export const AUTH_SERVER_FILE = "authserver-config.yaml";
const KEYS_DIR = "/etc/toolhive/authserver/keys";
const HMAC_DIR = "/etc/toolhive/authserver/hmac";
const REDIS_TLS_DIR = "/etc/toolhive/authserver/redis-tls";
const UPSTREAM_CA_DIR = "/etc/toolhive/authserver/upstream-ca";
const REDIS_USERNAME_ENV = "TOOLHIVE_AUTH_SERVER_REDIS_USERNAME";
const REDIS_PASSWORD_ENV = "TOOLHIVE_AUTH_SERVER_REDIS_PASSWORD";

type Ref = { name: string; key: string };
const refOf = (value: unknown): Ref | undefined =>
  isTree(value) && typeof value.name === "string" && typeof value.key === "string"
    ? { name: value.name, key: value.key }
    : undefined;
const refs = (value: unknown): Ref[] => treesOf(value).flatMap((r) => refOf(r) ?? []);

/** The set fields of `from`, renamed: [crdKey, runConfigKey]. Empty strings, lists and maps are left out. */
function mapped(from: Tree, keys: readonly (readonly [string, string])[]): Tree {
  const out: Tree = {};
  for (const [crd, run] of keys) {
    const v = from[crd];
    const empty =
      v === undefined ||
      v === "" ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (isTree(v) && !Object.keys(v).length);
    if (!empty) out[run] = v;
  }
  return out;
}

const suffixOf = (name: string) => name.toUpperCase().replaceAll("-", "_");
const clientSecretEnv = (provider: string) => `TOOLHIVE_UPSTREAM_CLIENT_SECRET_${suffixOf(provider)}`;
const dcrTokenEnv = (provider: string) => `TOOLHIVE_UPSTREAM_DCR_INITIAL_ACCESS_TOKEN_${suffixOf(provider)}`;

function userInfo(value: unknown): Tree | undefined {
  if (!isTree(value)) return undefined;
  const out = mapped(value, [
    ["endpointUrl", "endpoint_url"],
    ["httpMethod", "http_method"],
    ["additionalHeaders", "additional_headers"],
  ]);
  if (isTree(value.fieldMapping))
    out.field_mapping = mapped(value.fieldMapping, [
      ["subjectFields", "subject_fields"],
      ["nameFields", "name_fields"],
      ["emailFields", "email_fields"],
    ]);
  return out;
}

/** The CA bundle ConfigMap of upstream `index`, mounted as a directory (no subPath, so it stays current). */
function caBundle(settings: Tree, index: number): { path: string; mount: ConfigMapMount } | undefined {
  const ref = isTree(settings.caBundleRef) ? settings.caBundleRef.configMapRef : undefined;
  if (!isTree(ref) || typeof ref.name !== "string") return undefined;
  const key = typeof ref.key === "string" && ref.key ? ref.key : "ca.crt";
  return configMapFile(`authserver-upstream-ca-${index}`, ref.name, `${UPSTREAM_CA_DIR}/${index}`, key);
}

function upstream(provider: Tree, index: number, resourceUrl: string, pod: Gathered): Tree {
  const name = String(provider.name);
  const type = String(provider.type);
  const settings = (type === "oidc" ? provider.oidcConfig : provider.oauth2Config) as Tree;
  const redirect =
    settings.redirectUri || (resourceUrl ? `${resourceUrl.replace(/\/+$/, "")}/oauth/callback` : "");
  const common = {
    ...mapped({ ...settings, redirectUri: redirect }, [
      ["clientId", "client_id"],
      ["redirectUri", "redirect_uri"],
      ["scopes", "scopes"],
      ["additionalAuthorizationParams", "additional_authorization_params"],
      ["allowPrivateIPs", "allow_private_ips"],
    ]),
  };
  const secret = refOf(settings.clientSecretRef);
  if (secret) {
    common.client_secret_env_var = clientSecretEnv(name);
    pod.secretEnv.push({ name: clientSecretEnv(name), secret: secret.name, key: secret.key });
  }
  const ca = caBundle(settings, index);
  if (ca) {
    common.ca_file_path = ca.path;
    pod.mounts.push(ca.mount);
  }
  if (type === "oidc") {
    const oidc = {
      ...common,
      ...mapped(settings, [
        ["issuerUrl", "issuer_url"],
        ["subjectClaim", "subject_claim"],
      ]),
    };
    const override = userInfo(settings.userInfoOverride);
    return { name, type, oidc_config: override ? { ...oidc, userinfo_override: override } : oidc };
  }
  const oauth2: Tree = {
    ...common,
    ...mapped(settings, [
      ["authorizationEndpoint", "authorization_endpoint"],
      ["tokenEndpoint", "token_endpoint"],
      ["insecureAllowHTTP", "insecure_allow_http"],
    ]),
  };
  const info = userInfo(settings.userInfo);
  if (info) oauth2.userinfo = info;
  if (isTree(settings.tokenResponseMapping))
    oauth2.token_response_mapping = mapped(settings.tokenResponseMapping, [
      ["accessTokenPath", "access_token_path"],
      ["scopePath", "scope_path"],
      ["refreshTokenPath", "refresh_token_path"],
      ["expiresInPath", "expires_in_path"],
    ]);
  if (isTree(settings.identityFromToken))
    oauth2.identity_from_token = mapped(settings.identityFromToken, [
      ["subjectPath", "subject_path"],
      ["namePath", "name_path"],
      ["emailPath", "email_path"],
    ]);
  if (isTree(settings.dcrConfig)) {
    const dcr = mapped(settings.dcrConfig, [
      ["discoveryUrl", "discovery_url"],
      ["registrationEndpoint", "registration_endpoint"],
      ["softwareId", "software_id"],
      ["softwareStatement", "software_statement"],
    ]);
    const token = refOf(settings.dcrConfig.initialAccessTokenRef);
    if (token) {
      dcr.initial_access_token_env_var = dcrTokenEnv(name);
      pod.secretEnv.push({ name: dcrTokenEnv(name), secret: token.name, key: token.key });
    }
    oauth2.dcr_config = dcr;
  }
  return { name, type, oauth2_config: oauth2 };
}

function storage(config: Tree, vmcp: VirtualMCPServer, pod: Gathered): Tree | undefined {
  const spec = isTree(config.storage) ? config.storage : undefined;
  if (spec?.type !== "redis" || !isTree(spec.redis)) return undefined;
  const redis = spec.redis;
  const acl = isTree(redis.aclUserConfig) ? redis.aclUserConfig : {};
  const password = refOf(acl.passwordSecretRef);
  const username = refOf(acl.usernameSecretRef);
  if (password) pod.secretEnv.push({ name: REDIS_PASSWORD_ENV, secret: password.name, key: password.key });
  if (username) pod.secretEnv.push({ name: REDIS_USERNAME_ENV, secret: username.name, key: username.key });
  const namespace = vmcp.metadata.namespace ?? "";
  const tls = (value: unknown, file: string): Tree | undefined => {
    if (!isTree(value)) return undefined;
    const ca = refOf(value.caCertSecretRef);
    if (ca) pod.redisCa.push({ secret: ca.name, key: ca.key, path: file });
    return {
      ...mapped(value, [["insecureSkipVerify", "insecure_skip_verify"]]),
      ...(ca ? { ca_cert_file: `${REDIS_TLS_DIR}/${file}` } : {}),
    };
  };
  const run: Tree = {
    ...mapped(redis, [
      ["addr", "addr"],
      ["clusterMode", "cluster_mode"],
      ["dialTimeout", "dial_timeout"],
      ["readTimeout", "read_timeout"],
      ["writeTimeout", "write_timeout"],
    ]),
    auth_type: "aclUser",
    acl_user_config: {
      username_env_var: username ? REDIS_USERNAME_ENV : "",
      password_env_var: REDIS_PASSWORD_ENV,
    },
    key_prefix: `thv:auth:{${namespace}:${vmcp.metadata.name}}:`,
  };
  const masterTls = tls(redis.tls, "ca.crt");
  if (masterTls) run.tls = masterTls;
  if (isTree(redis.sentinelConfig)) {
    const s = redis.sentinelConfig;
    const service = isTree(s.sentinelService) ? s.sentinelService : undefined;
    const addrs =
      Array.isArray(s.sentinelAddrs) && s.sentinelAddrs.length
        ? s.sentinelAddrs
        : [`${service?.name}.${service?.namespace || namespace}.svc.cluster.local:${service?.port || 26379}`];
    run.sentinel_config = { master_name: s.masterName, sentinel_addrs: addrs, ...(s.db ? { db: s.db } : {}) };
    const sentinelTls = tls(redis.sentinelTls, "sentinel-ca.crt");
    if (sentinelTls) run.sentinel_tls = sentinelTls;
  }
  return { type: "redis", redis_config: run };
}

interface Gathered {
  secretEnv: SecretEnv[];
  mounts: ConfigMapMount[];
  redisCa: { secret: string; key: string; path: string }[];
}

export interface EmbeddedAuthServer {
  /** authserver.RunConfig, for the ConfigMap key AUTH_SERVER_FILE. */
  readonly runConfig: Tree;
  readonly pod: Partial<PodAdditions>;
}

/** Signing keys and HMAC secrets: one read-only Secret volume per directory, files key-N.pem / hmac-N. */
function secretVolume(volume: string, mountPath: string, files: SecretVolume["files"]): SecretVolume[] {
  return files.length ? [{ volume, mountPath, files }] : [];
}

/**
 * The embedded authorization server of a VirtualMCPServer whose spec passed authServerProblems, from the
 * runtime configuration as rendered (its incoming OIDC settings give the audience, scopes and the default
 * redirect URI, as upstream derives them). Undefined when there is no spec.authServerConfig.
 */
export function embeddedAuthServer(vmcp: VirtualMCPServer, rendered: Tree): EmbeddedAuthServer | undefined {
  const config = authServerConfigOf(vmcp);
  if (!config) return undefined;
  const oidc =
    isTree(rendered.incomingAuth) && isTree(rendered.incomingAuth.oidc) ? rendered.incomingAuth.oidc : {};
  const resource = typeof oidc.resource === "string" ? oidc.resource : "";
  const scopes = Array.isArray(oidc.scopes) && oidc.scopes.length ? oidc.scopes : undefined;
  const pod: Gathered = { secretEnv: [], mounts: [], redisCa: [] };
  const keys = refs(config.signingKeySecretRefs);
  const hmacs = refs(config.hmacSecretRefs);
  const run: Tree = {
    schema_version: "v0.1.0",
    issuer: config.issuer,
    ...mapped(config, [
      ["authorizationEndpointBaseUrl", "authorization_endpoint_base_url"],
      ["baselineClientScopes", "baseline_client_scopes"],
      ["disableUpstreamTokenInjection", "disable_upstream_token_injection"],
      ["insecureAllowHTTP", "insecure_allow_http"],
      ["allowConfidentialClientRegistration", "allow_confidential_client_registration"],
      ["allowPrivateKeyJWTRegistration", "allow_private_key_jwt_registration"],
      ["forceConfidentialRedirectUris", "force_confidential_redirect_uris"],
      ["insecureAllowConfidentialOverLoopbackHTTP", "insecure_allow_confidential_over_loopback_http"],
    ]),
    allowed_audiences: resource ? [resource] : [],
    ...(scopes ? { scopes_supported: scopes } : {}),
    upstreams: treesOf(config.upstreamProviders).map((p, i) => upstream(p, i, resource, pod)),
  };
  if (keys.length)
    run.signing_key_config = {
      key_dir: KEYS_DIR,
      signing_key_file: "key-0.pem",
      ...(keys.length > 1 ? { fallback_key_files: keys.slice(1).map((_, i) => `key-${i + 1}.pem`) } : {}),
    };
  if (hmacs.length) run.hmac_secret_files = hmacs.map((_, i) => `${HMAC_DIR}/hmac-${i}`);
  if (isTree(config.tokenLifespans))
    run.token_lifespans = mapped(config.tokenLifespans, [
      ["accessTokenLifespan", "access_token_lifespan"],
      ["refreshTokenLifespan", "refresh_token_lifespan"],
      ["authCodeLifespan", "auth_code_lifespan"],
    ]);
  if (isTree(config.cimd) && config.cimd.enabled === true)
    run.cimd = {
      enabled: true,
      ...mapped(config.cimd, [
        ["cacheMaxSize", "cache_max_size"],
        ["cacheFallbackTtl", "cache_fallback_ttl"],
      ]),
    };
  const store = storage(config, vmcp, pod);
  if (store) run.storage = store;
  return {
    runConfig: run,
    pod: {
      secretEnv: pod.secretEnv,
      mounts: pod.mounts,
      secretVolumes: [
        ...secretVolume(
          "authserver-signing-keys",
          KEYS_DIR,
          keys.map((r, i) => ({ secret: r.name, key: r.key, path: `key-${i}.pem` })),
        ),
        ...secretVolume(
          "authserver-hmac-secrets",
          HMAC_DIR,
          hmacs.map((r, i) => ({ secret: r.name, key: r.key, path: `hmac-${i}` })),
        ),
        ...secretVolume("authserver-redis-tls", REDIS_TLS_DIR, pod.redisCa),
      ],
    },
  };
}
