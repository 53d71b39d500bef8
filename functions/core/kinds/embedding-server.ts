// ToolHive's EmbeddingServer: a text-embeddings service ToolHive's own controller runs and reports on.
// A VirtualMCPServer names one (spec.embeddingServerRef) for its optimizer's semantic tool search.
import { z } from "zod";
import { ObjectMeta } from "./kubernetes.ts";

export const EmbeddingServer = z.looseObject({
  metadata: ObjectMeta,
  status: z
    .looseObject({
      phase: z.string().optional(),
      url: z.string().optional(),
      readyReplicas: z.number().int().optional(),
      message: z.string().optional(),
    })
    .optional(),
});
export type EmbeddingServer = z.infer<typeof EmbeddingServer>;
