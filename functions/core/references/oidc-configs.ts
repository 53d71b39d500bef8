// MCPOIDCConfig, named by spec.incomingAuth.oidcConfigRef: resolved into the runtime's incomingAuth.oidc as
// ToolHive's operator resolves it (converter.go resolveOIDCConfig, pkg/oidc ResolveFromConfigRef): the
// provider from the MCPOIDCConfig, audience, scopes and resource URL from the reference; the client secret
// reaches the pod as env VMCP_OIDC_CLIENT_SECRET from its secretKeyRef, the CA bundle ConfigMap mounted
// under /config/certs/<ConfigMap>. The runtime never reads the reference itself, so a missing or invalid
// MCPOIDCConfig is an error (fail closed: never a server without the authentication it asks for), with
// upstream's condition OIDCConfigRefValidated; status.oidcConfigHash is our own hash of its spec
// (contentHash), as upstream's copy of its status.configHash needs ToolHive's controller.

import { conditionOf } from "../kinds/conditions.ts";
import { type FieldError, formatErrors } from "../kinds/field-errors.ts";
import { contentHash, isTree, type Tree } from "../kinds/json-tree.ts";
import { statusUrl } from "../kinds/names.ts";
import { MCPOIDCConfig } from "../kinds/oidc-config.ts";
import { shown } from "../kinds/shown.ts";
import { modeOf, type VirtualMCPServer } from "../kinds/toolhive.ts";
import { type ConfigMapMount, configMapFile, type PodAdditions } from "../runtime/pod-additions.ts";
import { CA_VOLUME_PREFIX, type OIDCProvider, readProvider } from "./oidc-config-spec.ts";
import { missingRefs, refAt, reference } from "./reference.ts";

/** The env the runtime reads the client secret from (config clientSecretEnv), as upstream names it. */
export const OIDC_CLIENT_SECRET_ENV = "VMCP_OIDC_CLIENT_SECRET";
const CA_MOUNT_BASE = "/config/certs";
const CLUSTER_CA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The cluster's root CA, published into every namespace by kube-controller-manager. */
const CLUSTER_CA_CONFIGMAP = "kube-root-ca.crt";

const condition = conditionOf("OIDCConfigRefValidated");

type OIDCRef = { audience?: unknown; scopes?: unknown; resourceUrl?: unknown };
const refOf = (vmcp: VirtualMCPServer): OIDCRef => (vmcp.spec.incomingAuth?.oidcConfigRef ?? {}) as OIDCRef;

/**
 * The CA file the runtime trusts for the provider, and its mount: the MCPOIDCConfig's CA bundle; or the
 * cluster's CA, beside the service account token, where a static-mode pod (which gets no token, so not the
 * CA file beside it either) has it mounted, still without a token.
 */
function caFile(
  vmcp: VirtualMCPServer,
  provider: OIDCProvider,
): { readonly path: string; readonly mount?: ConfigMapMount } | undefined {
  const { caBundle } = provider;
  if (caBundle)
    return configMapFile(
      `${CA_VOLUME_PREFIX}${caBundle.configMap}`,
      caBundle.configMap,
      `${CA_MOUNT_BASE}/${caBundle.configMap}`,
      caBundle.key,
    );
  if (!provider.clusterCA) return undefined;
  const cluster = configMapFile("oidc-cluster-ca", CLUSTER_CA_CONFIGMAP, CLUSTER_CA_DIR, "ca.crt");
  return modeOf(vmcp) === "static" ? cluster : { path: cluster.path };
}

/** incomingAuth.oidc in the runtime's keys (pkg/vmcp/config OIDCConfig); false and empty values left out. */
function runtimeOIDC(vmcp: VirtualMCPServer, provider: OIDCProvider): Tree {
  const ref = refOf(vmcp);
  const resourceUrl =
    typeof ref.resourceUrl === "string" && ref.resourceUrl !== "" ? ref.resourceUrl : undefined;
  const entries: [string, unknown][] = [
    ["issuer", provider.issuer],
    ["clientId", provider.clientId],
    ["clientSecretEnv", provider.clientSecret ? OIDC_CLIENT_SECRET_ENV : undefined],
    ["audience", ref.audience],
    // Upstream defaults to http://<name>.<namespace>.svc.cluster.local:4483, a host no Service has (the
    // Service is vmcp-<name>); the URL clients actually reach in the cluster is status.url.
    ["resource", resourceUrl ?? statusUrl(vmcp.metadata.name, vmcp.metadata.namespace ?? "")],
    ["jwksUrl", provider.jwksUrl],
    ["introspectionUrl", provider.introspectionUrl],
    ["scopes", Array.isArray(ref.scopes) && ref.scopes.length > 0 ? ref.scopes : undefined],
    ["protectedResourceAllowPrivateIp", provider.protectedResourceAllowPrivateIp || undefined],
    ["jwksAllowPrivateIp", provider.jwksAllowPrivateIp || undefined],
    ["insecureAllowHttp", provider.insecureAllowHttp || undefined],
    ["caBundlePath", caFile(vmcp, provider)?.path],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

function podAdditions(vmcp: VirtualMCPServer, provider: OIDCProvider): Partial<PodAdditions> {
  const { clientSecret } = provider;
  const mount = caFile(vmcp, provider)?.mount;
  return {
    secretEnv: clientSecret
      ? [{ name: OIDC_CLIENT_SECRET_ENV, secret: clientSecret.name, key: clientSecret.key }]
      : [],
    mounts: mount ? [mount] : [],
  };
}

export const OIDC_CONFIGS = reference({
  kind: "MCPOIDCConfig",
  schema: MCPOIDCConfig,
  refs: (vmcp) => refAt("spec.incomingAuth.oidcConfigRef.name", vmcp.spec.incomingAuth?.oidcConfigRef?.name),
  resolve: (input) => {
    const ref = input.refs[0];
    if (!ref) return { errors: [], conditions: [] };
    const config = input.found.get(ref.name);
    const name = shown(ref.name);
    if (!config)
      return {
        errors: missingRefs(input, "MCPOIDCConfig"),
        conditions: [condition("False", "OIDCConfigRefNotFound", `MCPOIDCConfig ${name} not found`)],
      };
    const reading = readProvider(config.spec);
    if (!reading.ok) {
      const errors: FieldError[] = reading.problems.map((problem) => ({
        path: ref.path,
        message: `MCPOIDCConfig ${name} ${problem.path}: ${problem.message}`,
      }));
      return {
        errors,
        conditions: [
          condition(
            "False",
            "OIDCConfigRefNotValid",
            `MCPOIDCConfig ${name} is not valid: ${formatErrors(reading.problems)}`,
          ),
        ],
      };
    }
    const { provider } = reading;
    return {
      errors: [],
      conditions: [condition("True", "OIDCConfigRefValid", `MCPOIDCConfig ${name} is valid and ready`)],
      status: { oidcConfigHash: contentHash(config.spec) },
      pod: podAdditions(input.vmcp, provider),
      config: (rendered) => ({
        ...rendered,
        incomingAuth: {
          ...(isTree(rendered.incomingAuth) ? rendered.incomingAuth : {}),
          oidc: runtimeOIDC(input.vmcp, provider),
        },
      }),
    };
  },
});
