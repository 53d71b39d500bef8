// EmbeddingServer, named by spec.embeddingServerRef: the optimizer's embedding service is its URL, once
// ToolHive's EmbeddingServer controller reports it Ready with a replica up; until then nothing is deployed
// (a runtime started without it would fall back to keyword search, silently). A reference without
// spec.config.optimizer turns the optimizer on with its defaults, as upstream does; the reference wins over
// a URL written in the optimizer by hand, as upstream's does.

import { conditionOf } from "../kinds/conditions.ts";
import { EmbeddingServer } from "../kinds/embedding-server.ts";
import { isTree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import { missingRefs, refAt, reference } from "./reference.ts";

const PATH = "spec.embeddingServerRef.name";
const condition = conditionOf("EmbeddingServerReady");

export const EMBEDDING_SERVER = reference({
  kind: "EmbeddingServer",
  schema: EmbeddingServer,
  refs: (vmcp) =>
    refAt(PATH, (vmcp.spec as { embeddingServerRef?: { name?: unknown } }).embeddingServerRef?.name),
  resolve: (input) => {
    const { refs, found } = input;
    const ref = refs[0];
    if (!ref) return { errors: [], conditions: [] };
    const missing = missingRefs(input, "EmbeddingServer");
    const server = found.get(ref.name);
    if (!server)
      return {
        errors: missing,
        conditions: [
          condition("False", "EmbeddingServerNotFound", `Referenced EmbeddingServer ${ref.name} not found`),
        ],
      };
    const { phase, url, readyReplicas } = server.status ?? {};
    if (phase === "Failed")
      return {
        errors: [
          {
            path: ref.path,
            message: `EmbeddingServer ${shown(ref.name)} has failed${server.status?.message ? ` (${server.status.message})` : ""}; fix it, or name another`,
          },
        ],
        conditions: [condition("False", "EmbeddingServerNotReady", `EmbeddingServer ${ref.name} has failed`)],
      };
    if (phase !== "Ready" || !readyReplicas || !url) {
      const message = "Waiting for EmbeddingServer to become ready";
      return {
        errors: [],
        waiting: { reason: "EmbeddingServerNotReady", message },
        conditions: [condition("False", "EmbeddingServerNotReady", "EmbeddingServer is not yet ready")],
      };
    }
    return {
      errors: [],
      conditions: [condition("True", "EmbeddingServerReady", "EmbeddingServer is ready")],
      config: (config) => ({
        ...config,
        optimizer: { ...(isTree(config.optimizer) ? config.optimizer : {}), embeddingService: url },
      }),
    };
  },
});
