// The conditions upstream gives a VirtualMCPServer about its embedded authorization server:
// AuthServerConfigValidated (with its reasons) and the IdentitySynthesized advisory.
import type { DesiredCondition } from "../kinds/conditions.ts";
import { type FieldError, formatErrors } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { authServerConfigOf, text, treesOf } from "./auth-server.ts";

/**
 * AuthServerConfigValidated, in upstream's words, when the spec has an authorization server or names one
 * for authz: the server's own errors first (AuthServerConfigInvalid), then authz's primary upstream, whose
 * refusal upstream reports on this condition with a reason of its own.
 */
export function authServerCondition(
  vmcp: VirtualMCPServer,
  errors: readonly FieldError[],
  authz?: { reason: string; error: FieldError },
): DesiredCondition[] {
  const config = authServerConfigOf(vmcp);
  if (!config && !authz) return [];
  const type = "AuthServerConfigValidated";
  const advisory = config ? [identitySynthesized(config)] : [];
  if (errors.length)
    return [
      { type, status: "False", reason: "AuthServerConfigInvalid", message: formatErrors(errors) },
      ...advisory,
    ];
  if (authz)
    return [{ type, status: "False", reason: authz.reason, message: authz.error.message }, ...advisory];
  return [
    { type, status: "True", reason: "AuthServerConfigValid", message: "AuthServerConfig is valid" },
    ...advisory,
  ];
}

/** Upstream's IdentitySynthesized advisory: OAuth2 upstreams with no way to learn who the user is. */
function identitySynthesized(config: Tree): DesiredCondition {
  const type = "IdentitySynthesized";
  const synthetic = treesOf(config.upstreamProviders)
    .filter((p) => p.type === "oauth2" && isTree(p.oauth2Config))
    .filter((p) => {
      const oauth2 = p.oauth2Config as Tree;
      return oauth2.userInfo === undefined && oauth2.identityFromToken === undefined;
    })
    .map((p) => text(p.name))
    .sort();
  return synthetic.length
    ? {
        type,
        status: "True",
        reason: "OAuth2UpstreamWithoutUserInfo",
        message: `OAuth2 upstream(s) [${synthetic.join(" ")}] have no userInfo configured; the embedded auth server will synthesize a non-PII subject from the access token (no Name/Email claims). If a userInfo endpoint exists for these upstreams, configure it to resolve real identity.`,
      }
    : {
        type,
        status: "False",
        reason: "AllUpstreamsHaveUserInfo",
        message: "All OAuth2 upstreams have userInfo configured; user identity is resolved from the upstream",
      };
}
