// ToolHive's MCPAuthzConfig: an authorizer's configuration kept apart so several workloads share it. Its
// spec.config is the backend's own options, for cedarv1 the Cedar options (policies, entities_json, the
// claim mapping) as the authorizer reads them: snake_case keys. A VirtualMCPServer names one in
// spec.incomingAuth.authzConfigRef.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

export const MCPAuthzConfig = z.looseObject({
  metadata: ObjectMeta,
  spec: z
    .looseObject({
      type: z.string().optional(),
      config: z.unknown().optional(),
    })
    .default({}),
});
export type MCPAuthzConfig = z.infer<typeof MCPAuthzConfig>;
