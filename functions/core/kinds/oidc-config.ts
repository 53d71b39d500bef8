// ToolHive's MCPOIDCConfig: an OIDC provider (issuer, client, JWKS, CA bundle) shared by the servers that
// authenticate their clients with it. A VirtualMCPServer names one in spec.incomingAuth.oidcConfigRef and
// adds its own audience, scopes and resource URL. The spec's members are read as unknown: a wrong type is
// reported by the resolver's validation with the field named (core/references/oidc-config-spec.ts), never
// by a parse failure that would make the object look missing.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

export const MCPOIDCConfig = z.looseObject({
  metadata: ObjectMeta,
  spec: z
    .looseObject({
      type: z.unknown().optional(),
      kubernetesServiceAccount: z.unknown().optional(),
      inline: z.unknown().optional(),
    })
    .default({}),
});
export type MCPOIDCConfig = z.infer<typeof MCPOIDCConfig>;
