// Which upstream's token Cedar reads claims from when the embedded authorization server is in front:
// ToolHive's operator writes incomingAuth.authz.primaryUpstreamProvider (resolvePrimaryUpstreamProvider) and
// refuses a name that cannot resolve (validateAuthzUpstreamAvailable). Without it Cedar would evaluate the
// ToolHive-issued token's claims, whose names can overlap the upstream's and authorize the wrong identity.
import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { authServerConfigOf, authServerOf } from "./auth-server.ts";
import { upstreamName } from "./outgoing-auth.ts";

const CANONICAL = "spec.authServerConfig.primaryUpstreamProvider";
const DEPRECATED = "spec.incomingAuth.authzConfig.inline.primaryUpstreamProvider";

/** The name the spec gives, at its canonical place or its deprecated one (ExplicitPrimaryUpstreamProvider). */
function explicit(vmcp: VirtualMCPServer): { name: string; path: string } | undefined {
  const canonical = authServerConfigOf(vmcp)?.primaryUpstreamProvider;
  if (typeof canonical === "string" && canonical !== "") return { name: canonical, path: CANONICAL };
  const authz = vmcp.spec.incomingAuth?.authzConfig as Tree | undefined;
  const deprecated = isTree(authz?.inline) ? authz.inline.primaryUpstreamProvider : undefined;
  return typeof deprecated === "string" && deprecated !== ""
    ? { name: deprecated, path: DEPRECATED }
    : undefined;
}

/** Upstream's refusal, with the reason it gives AuthServerConfigValidated; undefined when the name resolves. */
export function primaryUpstreamProblem(
  vmcp: VirtualMCPServer,
): { reason: string; error: FieldError } | undefined {
  if (!vmcp.spec.incomingAuth?.authzConfig) return undefined;
  const given = explicit(vmcp);
  if (!given) return undefined;
  const server = authServerOf(vmcp);
  if (!server)
    return {
      reason: "AuthzPrimaryProviderRequiresAuthServer",
      error: {
        path: given.path,
        message: `primaryUpstreamProvider="${given.name}" is set but spec.authServerConfig is not configured. The field names an upstream IDP on the embedded auth server, which is required for it to take effect. Remove primaryUpstreamProvider, or configure spec.authServerConfig with an upstream of that name.`,
      },
    };
  if (server.upstreams.some((u) => upstreamName(u) === upstreamName(given.name))) return undefined;
  return {
    reason: "AuthzUpstreamUnknown",
    error: {
      path: given.path,
      message: `primaryUpstreamProvider="${given.name}" does not match any upstream declared on spec.authServerConfig.upstreamProviders. Set primaryUpstreamProvider to one of the configured upstream names, or leave it empty to default to the first upstream.`,
    },
  };
}

/** The rendered configuration with authz.primaryUpstreamProvider as upstream resolves it (given, else the first upstream). */
export function withPrimaryUpstream(vmcp: VirtualMCPServer, rendered: Tree): Tree {
  const incoming = isTree(rendered.incomingAuth) ? rendered.incomingAuth : undefined;
  const server = authServerOf(vmcp);
  if (!incoming || !isTree(incoming.authz) || !server?.upstreams.length) return rendered;
  const name = upstreamName(explicit(vmcp)?.name ?? server.upstreams[0]);
  return {
    ...rendered,
    incomingAuth: { ...incoming, authz: { ...incoming.authz, primaryUpstreamProvider: name } },
  };
}
