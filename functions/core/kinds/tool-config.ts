// ToolHive's MCPToolConfig: a tool filter and tool overrides, kept apart so several VirtualMCPServers (and
// MCPServers) share them. A VirtualMCPServer names one per backend in config.aggregation.tools[].toolConfigRef.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

export const ToolOverride = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});
export type ToolOverride = z.infer<typeof ToolOverride>;

export const MCPToolConfig = z.looseObject({
  metadata: ObjectMeta,
  spec: z
    .looseObject({
      toolsFilter: z.array(z.string()).optional(),
      toolsOverride: z.record(z.string(), ToolOverride).optional(),
    })
    .default({}),
});
export type MCPToolConfig = z.infer<typeof MCPToolConfig>;
