// A referenced object's content hash, for the status field upstream fills with the object's
// status.configHash. That hash is written by ToolHive's own controller for the kind, which may not run
// beside vmcp-lambda, so the functions hash the spec themselves: SHA-256 hex over its JSON with every
// object's keys sorted, so equal content gives an equal hash whatever order the API server kept.
import { createHash } from "node:crypto";
import { sortKeys } from "../kinds/json-tree.ts";

export const contentHash = (spec: unknown): string =>
  createHash("sha256")
    .update(JSON.stringify(sortKeys(spec ?? {})))
    .digest("hex");
