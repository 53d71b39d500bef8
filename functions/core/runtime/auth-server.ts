// The embedded authorization server a VirtualMCPServer may run inside its vMCP pod (spec.authServerConfig):
// its spec checked as ToolHive's operator checks it (validateAuthServerConfig and the errors of
// BuildAuthServerRunConfig) before anything is rendered. Field paths in every message.
import type { FieldError } from "../kinds/field-errors.ts";
import { asList, isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import type { AuthServer } from "./outgoing-auth.ts";
import { durationMs } from "./report.ts";

const ROOT = "spec.authServerConfig";

/** spec.authServerConfig, or undefined when the VirtualMCPServer has none. */
export const authServerConfigOf = (vmcp: VirtualMCPServer): Tree | undefined => {
  const config = (vmcp.spec as Tree).authServerConfig;
  return isTree(config) ? config : undefined;
};

export const treesOf = (value: unknown): Tree[] => asList(value).filter(isTree);
export const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** spec.authServerConfig as backend strategies see it, or undefined when the VirtualMCPServer has none. */
export function authServerOf(vmcp: VirtualMCPServer): AuthServer | undefined {
  const config = authServerConfigOf(vmcp);
  return config && { upstreams: treesOf(config.upstreamProviders).map((p) => text(p.name)) };
}

// Settings the functions do not render yet (delegated token exchange, trusted issuers, SPIFFE): written
// half they would give an authorization server that refuses the grants its clients rely on.
const NOT_RENDERED = ["delegateClients", "trustedIssuers", "inboundGrants", "spiffeTrustDomains"];

// Settings whose runtime counterpart v0.44.0 lacks (its authserver.RunConfig has no key for them): the
// runtime would ignore them silently.
const NEWER_THAN: Record<string, readonly string[]> = {
  "v0.44.0": ["allowPrivateKeyJWTRegistration", "upstreamProviders[].caBundleRef"],
};

// OAuth parameters the authorization flow sets itself (oauthparams.ReservedAuthorizationParams).
const RESERVED_PARAMS = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
]);

const UPSTREAM_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const isLoopback = (host: string) =>
  host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);

function issuerProblems(config: Tree): FieldError[] {
  const issuer = text(config.issuer);
  if (issuer === "") return [{ path: `${ROOT}.issuer`, message: "is required" }];
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    return [{ path: `${ROOT}.issuer`, message: `${JSON.stringify(issuer)} is not a URL` }];
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && config.insecureAllowHTTP !== true)
    return [
      {
        path: `${ROOT}.issuer`,
        message: `${JSON.stringify(issuer)} uses http:// with a non-localhost host; set ${ROOT}.insecureAllowHTTP: true to allow this for trusted in-cluster deployments, or use https:// for production deployments`,
      },
    ];
  return [];
}

// The runtime refuses to start with confidential clients whose secrets could travel over cleartext HTTP
// (authserver ValidateConfidentialClientTransport, ValidateForceConfidentialRedirectURIs; both versions).
function confidentialClientProblems(config: Tree): FieldError[] {
  const forced =
    Array.isArray(config.forceConfidentialRedirectUris) && config.forceConfidentialRedirectUris.length > 0;
  if (config.allowConfidentialClientRegistration !== true)
    return forced
      ? [
          {
            path: `${ROOT}.forceConfidentialRedirectUris`,
            message: "requires allowConfidentialClientRegistration: true",
          },
        ]
      : [];
  const path = `${ROOT}.allowConfidentialClientRegistration`;
  const cleartext = "confidential clients would send secrets over cleartext HTTP";
  if (config.insecureAllowHTTP === true)
    return [{ path, message: `cannot be combined with insecureAllowHTTP: ${cleartext}` }];
  let url: URL;
  try {
    url = new URL(text(config.issuer));
  } catch {
    return [];
  }
  if (url.protocol !== "http:") return [];
  const loopbackOptIn = config.insecureAllowConfidentialOverLoopbackHTTP === true;
  if (!isLoopback(url.hostname))
    return [{ path, message: `cannot use a plain-HTTP non-loopback issuer: ${cleartext}` }];
  return loopbackOptIn
    ? []
    : [
        {
          path,
          message: `cannot be combined with a plain-HTTP loopback issuer unless insecureAllowConfidentialOverLoopbackHTTP is set: ${cleartext}`,
        },
      ];
}

// The bounds the runtime holds token lifespans to at start (authserver/server validateTokenLifespans; the
// same in both versions); zero or unset takes its default.
const LIFESPANS: readonly [key: string, min: number, max: number, bounds: string][] = [
  ["accessTokenLifespan", 60_000, 86_400_000, "between 1m and 24h"],
  ["refreshTokenLifespan", 3_600_000, 2_592_000_000, "between 1h and 720h"],
  ["authCodeLifespan", 30_000, 600_000, "between 30s and 10m"],
];

function lifespanProblems(config: Tree): FieldError[] {
  const lifespans = isTree(config.tokenLifespans) ? config.tokenLifespans : {};
  const errors: FieldError[] = [];
  for (const [key, min, max, bounds] of LIFESPANS) {
    const value = lifespans[key];
    if (value === undefined || value === "") continue;
    const ms = durationMs(value);
    const path = `${ROOT}.tokenLifespans.${key}`;
    if (ms === undefined)
      errors.push({
        path,
        message: `${JSON.stringify(value)} is not a Go duration such as "30m" or "1h30m"`,
      });
    else if (ms !== 0 && (ms < min || ms > max)) errors.push({ path, message: `must be ${bounds}` });
  }
  return errors;
}

function oauth2Problems(path: string, oauth2: Tree): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ["authorizationEndpoint", "tokenEndpoint"])
    if (text(oauth2[key]) === "") errors.push({ path: `${path}.${key}`, message: "is required" });
  const dcr = isTree(oauth2.dcrConfig) ? oauth2.dcrConfig : undefined;
  if ((text(oauth2.clientId) !== "") === (dcr !== undefined))
    errors.push({ path, message: "exactly one of clientId or dcrConfig must be set" });
  else if (dcr) {
    if (oauth2.clientSecretRef !== undefined)
      errors.push({
        path: `${path}.clientSecretRef`,
        message:
          "must not be set when dcrConfig is set; the client_secret is obtained at runtime via Dynamic Client Registration",
      });
    if ((text(dcr.discoveryUrl) !== "") === (text(dcr.registrationEndpoint) !== ""))
      errors.push({
        path: `${path}.dcrConfig`,
        message: "exactly one of discoveryUrl or registrationEndpoint must be set",
      });
  }
  return errors;
}

function upstreamProblems(config: Tree): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  treesOf(config.upstreamProviders).forEach((provider, i) => {
    const path = `${ROOT}.upstreamProviders[${i}]`;
    const name = text(provider.name);
    if (!UPSTREAM_NAME.test(name))
      errors.push({
        path: `${path}.name`,
        message: `${JSON.stringify(name)} must be lowercase letters, digits and '-', starting and ending with a letter or digit`,
      });
    else if (seen.has(name)) errors.push({ path: `${path}.name`, message: `duplicates "${name}"` });
    seen.add(name);
    const type = text(provider.type);
    const settings = type === "oidc" ? provider.oidcConfig : type === "oauth2" ? provider.oauth2Config : null;
    if (settings === null) {
      errors.push({ path: `${path}.type`, message: `${JSON.stringify(type)} must be oidc or oauth2` });
      return;
    }
    const key = `${type}Config`;
    if (!isTree(settings)) {
      errors.push({ path: `${path}.${key}`, message: `is required when type is ${type}` });
      return;
    }
    if (type === "oidc")
      for (const field of ["issuerUrl", "clientId"])
        if (text(settings[field]) === "")
          errors.push({ path: `${path}.${key}.${field}`, message: "is required" });
    if (type === "oauth2") errors.push(...oauth2Problems(`${path}.${key}`, settings));
    const params = isTree(settings.additionalAuthorizationParams)
      ? settings.additionalAuthorizationParams
      : {};
    for (const param of Object.keys(params).filter((p) => RESERVED_PARAMS.has(p)))
      errors.push({
        path: `${path}.${key}.additionalAuthorizationParams`,
        message: `reserved parameter "${param}" is managed by the framework and cannot be overridden`,
      });
  });
  return errors;
}

function storageProblems(config: Tree): FieldError[] {
  const storage = isTree(config.storage) ? config.storage : undefined;
  const type = text(storage?.type) || "memory";
  if (!storage || type === "memory") return [];
  const path = `${ROOT}.storage`;
  if (type !== "redis") return [{ path: `${path}.type`, message: `unsupported storage type: ${type}` }];
  const redis = isTree(storage.redis) ? storage.redis : undefined;
  if (!redis) return [{ path: `${path}.redis`, message: "is required when storage type is redis" }];
  const errors: FieldError[] = [];
  const sentinel = isTree(redis.sentinelConfig) ? redis.sentinelConfig : undefined;
  if ((text(redis.addr) !== "") === (sentinel !== undefined))
    errors.push({
      path: `${path}.redis`,
      message:
        "exactly one of addr (standalone or cluster) or sentinelConfig (Sentinel) is required for Redis storage",
    });
  if (sentinel && !Array.isArray(sentinel.sentinelAddrs) && !isTree(sentinel.sentinelService))
    errors.push({
      path: `${path}.redis.sentinelConfig`,
      message: "either sentinelAddrs or sentinelService must be specified",
    });
  const acl = isTree(redis.aclUserConfig) ? redis.aclUserConfig : undefined;
  if (!isTree(acl?.passwordSecretRef))
    errors.push({
      path: `${path}.redis.aclUserConfig.passwordSecretRef`,
      message: "is required: the authorization server signs in to Redis as an ACL user",
    });
  return errors;
}

function unrenderedProblems(config: Tree, runtimeVersion: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of NOT_RENDERED)
    if (config[field] !== undefined && !(Array.isArray(config[field]) && config[field].length === 0))
      errors.push({
        path: `${ROOT}.${field}`,
        message:
          "vmcp-lambda does not render it yet; remove it, or run this VirtualMCPServer with ToolHive's operator",
      });
  const newer = `the vMCP runtime ${runtimeVersion} does not read it (v0.47.0 does); remove it, or deploy v0.47.0`;
  for (const field of NEWER_THAN[runtimeVersion] ?? []) {
    if (field === "upstreamProviders[].caBundleRef") {
      treesOf(config.upstreamProviders).forEach((provider, i) => {
        const settings = provider.oidcConfig ?? provider.oauth2Config;
        if (isTree(settings) && settings.caBundleRef !== undefined)
          errors.push({
            path: `${ROOT}.upstreamProviders[${i}].${provider.oidcConfig ? "oidcConfig" : "oauth2Config"}.caBundleRef`,
            message: newer,
          });
      });
    } else if (config[field] !== undefined && config[field] !== false)
      errors.push({ path: `${ROOT}.${field}`, message: newer });
  }
  return errors;
}

/** What is wrong with spec.authServerConfig as it stands, for the runtime version deployed; [] when absent. */
export function authServerProblems(vmcp: VirtualMCPServer, runtimeVersion: string): FieldError[] {
  const config = authServerConfigOf(vmcp);
  if (!config) return [];
  const errors = [...issuerProblems(config), ...unrenderedProblems(config, runtimeVersion)];
  // The runtime refuses an authorization server whose tokens nothing validates (ValidateAuthServerIntegration).
  if (vmcp.spec.incomingAuth?.type !== "oidc")
    errors.push({
      path: "spec.incomingAuth.type",
      message:
        "must be oidc with spec.authServerConfig: the embedded authorization server requires OIDC incoming auth to validate the tokens it issues",
    });
  if (treesOf(config.upstreamProviders).length === 0)
    errors.push({
      path: `${ROOT}.upstreamProviders`,
      message:
        "at least one upstream provider is required (vmcp-lambda does not render delegateClients, inboundGrants or trustedIssuers, which would otherwise stand in for one)",
    });
  errors.push(
    ...confidentialClientProblems(config),
    ...lifespanProblems(config),
    ...upstreamProblems(config),
    ...storageProblems(config),
  );
  return errors;
}
