// ToolHive's VirtualMCPCompositeToolDefinition: one composite tool (a workflow of tool calls) kept apart so
// several VirtualMCPServers share it. Its spec is the runtime's composite tool as is (ToolHive's type embeds
// the runtime's CompositeToolConfig), named by spec.config.compositeToolRefs[].name.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

export const VirtualMCPCompositeToolDefinition = z.looseObject({
  metadata: ObjectMeta,
  // Read as a tree: the resolver fits it to the runtime's composite tool and checks it field by field.
  spec: z.record(z.string(), z.unknown()).default({}),
});
export type VirtualMCPCompositeToolDefinition = z.infer<typeof VirtualMCPCompositeToolDefinition>;
