// What the functions cannot yet turn into a configuration the vMCP runtime accepts: references to kinds
// they do not resolve, and settings whose runtime counterpart needs such a kind. Written as it stands, each
// would be a pod that crash-loops or a setting silently lost, so the spec is refused instead: admission
// denies it, the reconcile reports Valid=False with the same message and writes no child.

import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";

const NOT_YET = "vmcp-lambda does not resolve";

/** Spec fields (top level) that reference a kind the functions do not read yet, and what to do instead. */
const REFERENCES: readonly [field: string, kind: string, instead: string][] = [];

const present = (value: unknown) =>
  value !== undefined && value !== null && !(isTree(value) && Object.keys(value).length === 0);

function configErrors(spec: VirtualMCPServer["spec"]): FieldError[] {
  const config = spec.config ?? {};
  const errors: FieldError[] = [];
  const storage = spec.sessionStorage as Tree | undefined;
  if (config.rateLimiting !== undefined && storage?.provider !== "redis")
    errors.push({
      path: "spec.config.rateLimiting",
      message:
        "the vMCP runtime keeps rate-limit buckets in Redis; set spec.sessionStorage with provider redis, or remove rateLimiting",
    });
  return errors;
}

export function unrenderable(vmcp: VirtualMCPServer): FieldError[] {
  const spec = vmcp.spec as VirtualMCPServer["spec"] & Tree;
  const errors: FieldError[] = [];
  for (const [field, kind, instead] of REFERENCES)
    if (present(spec[field]))
      errors.push({ path: `spec.${field}`, message: `${NOT_YET} ${kind} yet; ${instead}` });
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
  errors.push(...configErrors(spec));
  return errors;
}
