// An MCPOIDCConfig's spec read into the provider the vMCP runtime is configured with, or the problems that
// keep it from being one, each at the MCPOIDCConfig's own field. The checks are those of ToolHive's
// MCPOIDCConfig controller (validateOIDCConfigSpec: type and member agree, the inline issuer and JWKS URL
// are http(s) URLs with a host, plain http only with insecureAllowHTTP), of its CRD (required fields), and
// of its resolver (a CA bundle names a ConfigMap short enough for the volume named after it), plus what the
// runtime or the pod would refuse later (a CA key with '..'). Upstream requires the object's status
// Valid=True, written by ToolHive's own controller, which may not run beside vmcp-lambda; reading the spec
// here decides the same without it.

import { type FieldError, isDnsLabel } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { MCPOIDCConfig } from "../kinds/oidc-config.ts";
import { shown } from "../kinds/shown.ts";

export interface OIDCProvider {
  readonly issuer: string;
  readonly clientId?: string;
  readonly jwksUrl?: string;
  readonly introspectionUrl?: string;
  /** Where the client secret is; the functions name it in the pod's env and never read it. */
  readonly clientSecret?: { readonly name: string; readonly key: string };
  /** A ConfigMap holding the CA bundle that signs the issuer's certificates (inline type). */
  readonly caBundle?: { readonly configMap: string; readonly key: string };
  /** The cluster's own CA verifies the issuer (kubernetesServiceAccount type with useClusterAuth). */
  readonly clusterCA: boolean;
  readonly jwksAllowPrivateIp: boolean;
  readonly protectedResourceAllowPrivateIp: boolean;
  readonly insecureAllowHttp: boolean;
}

export type ProviderReading =
  | { readonly ok: true; readonly provider: OIDCProvider }
  | { readonly ok: false; readonly problems: readonly FieldError[] };

const TYPES = ["inline", "kubernetesServiceAccount"] as const;
/** The kubernetesServiceAccount type's default issuer, as its CRD defaults it. */
const CLUSTER_ISSUER = "https://kubernetes.default.svc";
/** Upstream names the CA bundle's volume oidc-ca-bundle-<ConfigMap>, and a volume name is a DNS label. */
export const CA_VOLUME_PREFIX = "oidc-ca-bundle-";
const MAX_CA_CONFIGMAP_NAME = 63 - CA_VOLUME_PREFIX.length;
const DEFAULT_CA_KEY = "ca.crt";
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
// Scheme and authority as Go's url.Parse splits them; what follows the host does not matter here.
const URL_START = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

/** Reads the members of one spec object, noting each value of the wrong type at its path in `problems`. */
function reader(tree: Tree, path: string, problems: FieldError[] = []) {
  const wrong = (key: string, message: string) => {
    problems.push({ path: `${path}.${key}`, message });
    return undefined;
  };
  return {
    problems,
    string: (key: string): string | undefined => {
      const value = tree[key];
      if (value === undefined || value === null) return undefined;
      return typeof value === "string" ? value || undefined : wrong(key, "must be a string");
    },
    boolean: (key: string): boolean | undefined => {
      const value = tree[key];
      if (value === undefined || value === null) return undefined;
      return typeof value === "boolean" ? value : wrong(key, "must be true or false");
    },
    object: (key: string): Tree | undefined => {
      const value = tree[key];
      if (value === undefined || value === null) return undefined;
      return isTree(value) ? value : wrong(key, "must be an object");
    },
  };
}
type Reader = ReturnType<typeof reader>;

/** ToolHive's ValidateOIDCIssuerURL and ValidateJWKSURL, in one wording. */
function urlProblem(url: string, what: string, insecureField: string, insecure: boolean) {
  const parts = URL_START.exec(url);
  const host = parts?.[2]?.slice(parts[2].lastIndexOf("@") + 1);
  // Go's parser refuses control characters and spaces; they are never part of a usable URL.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
  if (!parts || !host || /[\u0000-\u0020\u007f]/.test(url))
    return `${shown(url)} is not a URL with a scheme and a host; write the ${what} as https://<host>[/path]`;
  const scheme = (parts[1] ?? "").toLowerCase();
  if (scheme === "http" && !insecure)
    return `${shown(url)} uses http, which is insecure; use https, or set ${insecureField}: true for development only`;
  if (scheme !== "http" && scheme !== "https")
    return `${shown(url)} has the unsupported scheme ${shown(scheme)}; the ${what} must be an https (or http) URL`;
  return undefined;
}

function caBundleOf(read: Reader, path: string) {
  const source = read.object("caBundleRef");
  const at = `${path}.caBundleRef.configMapRef`;
  const configMapRef = source && reader(source, `${path}.caBundleRef`, read.problems).object("configMapRef");
  if (!source || !configMapRef) {
    if (source && source.configMapRef === undefined)
      read.problems.push({
        path: at,
        message: "required when caBundleRef is set; name the ConfigMap and key holding the CA bundle",
      });
    return undefined;
  }
  const cm = reader(configMapRef, at, read.problems);
  const name = cm.string("name");
  const key = cm.string("key") ?? DEFAULT_CA_KEY;
  if (!name) {
    if (!configMapRef.name)
      read.problems.push({ path: `${at}.name`, message: "required; the ConfigMap holding the CA bundle" });
    return undefined;
  }
  if (name.length > MAX_CA_CONFIGMAP_NAME || !isDnsLabel(name))
    read.problems.push({
      path: `${at}.name`,
      message: `${shown(name)} cannot name the pod's volume ${CA_VOLUME_PREFIX}<name>; use a ConfigMap whose name has at most ${MAX_CA_CONFIGMAP_NAME} lowercase letters, digits and '-'`,
    });
  if (!CONFIGMAP_KEY.test(key) || key.includes(".."))
    read.problems.push({
      path: `${at}.key`,
      message: `${shown(key)} cannot be mounted as the CA bundle file; use a key of letters, digits, '-', '_' and '.', without '..'`,
    });
  return { configMap: name, key };
}

function clientSecretOf(read: Reader, path: string) {
  const ref = read.object("clientSecretRef");
  if (!ref) return undefined;
  const at = `${path}.clientSecretRef`;
  const secret = reader(ref, at, read.problems);
  const name = secret.string("name");
  const key = secret.string("key");
  if (!ref.name)
    read.problems.push({ path: `${at}.name`, message: "required; the Secret holding the client secret" });
  if (!ref.key)
    read.problems.push({
      path: `${at}.key`,
      message: "required; the key of the Secret holding the client secret",
    });
  return name && key ? { name, key } : undefined;
}

function inlineProvider(inline: Tree): ProviderReading {
  const path = "spec.inline";
  const read = reader(inline, path);
  const issuer = read.string("issuer");
  const jwksUrl = read.string("jwksUrl");
  const insecureAllowHttp = read.boolean("insecureAllowHTTP") ?? false;
  const insecureField = `${path}.insecureAllowHTTP`;
  if (inline.issuer === undefined || inline.issuer === null || inline.issuer === "")
    read.problems.push({
      path: `${path}.issuer`,
      message: "required; the OIDC issuer URL, e.g. https://auth.example.com",
    });
  const issuerProblem = issuer && urlProblem(issuer, "issuer", insecureField, insecureAllowHttp);
  if (issuerProblem) read.problems.push({ path: `${path}.issuer`, message: issuerProblem });
  const jwksProblem = jwksUrl && urlProblem(jwksUrl, "JWKS URL", insecureField, insecureAllowHttp);
  if (jwksProblem) read.problems.push({ path: `${path}.jwksUrl`, message: jwksProblem });
  const provider: OIDCProvider = {
    issuer: issuer ?? "",
    clientId: read.string("clientId"),
    jwksUrl,
    introspectionUrl: read.string("introspectionUrl"),
    clientSecret: clientSecretOf(read, path),
    caBundle: caBundleOf(read, path),
    clusterCA: false,
    jwksAllowPrivateIp: read.boolean("jwksAllowPrivateIP") ?? false,
    protectedResourceAllowPrivateIp: read.boolean("protectedResourceAllowPrivateIP") ?? false,
    insecureAllowHttp,
  };
  return read.problems.length > 0 ? { ok: false, problems: read.problems } : { ok: true, provider };
}

/** As ToolHive's resolver has it: the cluster's issuer and, unless useClusterAuth is false, its CA. */
function clusterProvider(account: Tree): ProviderReading {
  const read = reader(account, "spec.kubernetesServiceAccount");
  const clusterCA = read.boolean("useClusterAuth") ?? true;
  const provider: OIDCProvider = {
    issuer: read.string("issuer") ?? CLUSTER_ISSUER,
    jwksUrl: read.string("jwksUrl"),
    introspectionUrl: read.string("introspectionUrl"),
    clusterCA,
    // The cluster's JWKS is served from inside it.
    jwksAllowPrivateIp: clusterCA,
    protectedResourceAllowPrivateIp: false,
    insecureAllowHttp: false,
  };
  return read.problems.length > 0 ? { ok: false, problems: read.problems } : { ok: true, provider };
}

export function readProvider(spec: MCPOIDCConfig["spec"]): ProviderReading {
  const type = spec.type;
  if (typeof type !== "string" || !(TYPES as readonly string[]).includes(type))
    return {
      ok: false,
      problems: [
        {
          path: "spec.type",
          message:
            type === undefined || type === null
              ? 'required; "inline" (a provider you name) or "kubernetesServiceAccount" (the cluster\'s own tokens)'
              : `unsupported value ${shown(String(type))}; "inline" or "kubernetesServiceAccount"`,
        },
      ],
    };
  const problems: FieldError[] = TYPES.flatMap((member) => {
    const value = spec[member];
    if (value === undefined || value === null)
      return type === member ? [{ path: `spec.${member}`, message: `required when type is ${member}` }] : [];
    if (type !== member)
      return [{ path: `spec.${member}`, message: `set, but type is ${type}; remove it or change the type` }];
    return isTree(value) ? [] : [{ path: `spec.${member}`, message: "must be an object" }];
  });
  if (problems.length > 0) return { ok: false, problems };
  return type === "inline"
    ? inlineProvider(spec.inline as Tree)
    : clusterProvider(spec.kubernetesServiceAccount as Tree);
}
