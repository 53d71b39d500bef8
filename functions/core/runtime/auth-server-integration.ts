// The embedded authorization server's file held against config.yaml as rendered, as upstream's operator
// holds them (ValidateAuthServerIntegration) and as the runtime checks the file at start: the server issues
// the tokens incoming OIDC validates, so issuer, audience and scopes must agree. Field paths in every message.
import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";

/** The scopes the authorization server supports when incoming OIDC names none (registration.DefaultScopes). */
const DEFAULT_SCOPES = ["openid", "profile", "email", "offline_access"];

/** ValidateAuthServerIntegration: the file and config.yaml must agree, or no token the server issues is accepted. */
export function integrationProblems(rendered: Tree, runConfig: Tree): FieldError[] {
  const incoming = isTree(rendered.incomingAuth) ? rendered.incomingAuth : {};
  const oidc = isTree(incoming.oidc) ? incoming.oidc : undefined;
  if (incoming.type !== "oidc" || !oidc)
    return [
      {
        path: "spec.incomingAuth.type",
        message:
          "the embedded authorization server (spec.authServerConfig) requires OIDC incoming auth: its tokens are validated by the OIDC middleware",
      },
    ];
  const audiences = runConfig.allowed_audiences as string[];
  if (audiences.length === 0)
    return [
      {
        path: "spec.incomingAuth.oidcConfigRef.resourceUrl",
        message:
          "the embedded authorization server requires at least one allowed audience (MCP clients must send the RFC 8707 resource parameter); set resourceUrl",
      },
    ];
  const errors: FieldError[] = [];
  // The runtime refuses at start an audience that is not an absolute http(s) URI with a host (RFC 8707).
  for (const audience of audiences) {
    let url: URL | undefined;
    try {
      url = new URL(audience);
    } catch {}
    if (!url || !["http:", "https:"].includes(url.protocol) || url.host === "" || url.hash !== "")
      errors.push({
        path: "spec.incomingAuth.oidcConfigRef.resourceUrl",
        message: `"${audience}" becomes the authorization server's allowed audience, which must be an absolute http(s) URI with a host and no fragment`,
      });
  }
  // Scopes every registered client gets must be scopes the server advertises (the incoming OIDC scopes,
  // else the runtime's defaults), or the runtime refuses to start.
  const supported = (runConfig.scopes_supported as string[] | undefined) ?? DEFAULT_SCOPES;
  const baseline = Array.isArray(runConfig.baseline_client_scopes) ? runConfig.baseline_client_scopes : [];
  for (const scope of baseline.filter((s) => !supported.includes(s)))
    errors.push({
      path: "spec.authServerConfig.baselineClientScopes",
      message: `contains "${scope}", which is not among the scopes the server supports (${supported.join(", ")}: spec.incomingAuth.oidcConfigRef.scopes, else the runtime's defaults)`,
    });
  if (runConfig.issuer !== oidc.issuer)
    errors.push({
      path: "spec.authServerConfig.issuer",
      message: `auth server issuer mismatch: auth server issuer "${runConfig.issuer}" != incomingAuth.oidc.issuer "${oidc.issuer ?? ""}" (the MCPOIDCConfig's issuer)`,
    });
  if (typeof oidc.audience === "string" && oidc.audience !== "" && !audiences.includes(oidc.audience))
    errors.push({
      path: "spec.incomingAuth.oidcConfigRef.audience",
      message: `incomingAuth.oidc.audience "${oidc.audience}" not in auth server's allowed audiences [${audiences.join(" ")}]`,
    });
  return errors;
}
