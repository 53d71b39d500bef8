// What no vMCP runtime version the functions deploy can be given: settings ToolHive added in later
// releases, and settings whose runtime counterpart needs what the spec does not have. Written as they stand,
// each would be a pod that crash-loops or a setting silently lost, so the spec is refused instead: admission
// denies it, the reconcile reports Valid=False with the same message and writes no child.

import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";

const present = (value: unknown) =>
  value !== undefined && value !== null && !(isTree(value) && Object.keys(value).length === 0);

export function unrenderable(vmcp: VirtualMCPServer): FieldError[] {
  const spec = vmcp.spec as VirtualMCPServer["spec"] & Tree;
  const errors: FieldError[] = [];
  // ToolHive added the filter in a later release (v0.63.0 has it); the runtimes vmcp-lambda deploys have no
  // such setting, so every upstream would still be walked at login.
  if (present(spec.authServerUpstreamFilter))
    errors.push({
      path: "spec.authServerUpstreamFilter",
      message:
        "the vMCP runtime versions vmcp-lambda deploys (v0.44.0, v0.47.0) have no upstream filter; ToolHive's runtime reads it from v0.63.0 on; remove it",
    });
  const storage = spec.sessionStorage as Tree | undefined;
  if (storage && present(storage.tls))
    errors.push({
      path: "spec.sessionStorage.tls",
      message:
        "no vMCP runtime version vmcp-lambda deploys can connect to Redis over TLS; remove tls, or use a Redis reachable without it",
    });
  if (isTree(spec.config) && spec.config.rateLimiting !== undefined && storage?.provider !== "redis")
    errors.push({
      path: "spec.config.rateLimiting",
      message:
        "the vMCP runtime keeps rate-limit buckets in Redis; set spec.sessionStorage with provider redis, or remove rateLimiting",
    });
  return errors;
}
