// Static → dynamic hands the backend part of status, and phase, message and Ready, to the vMCP runtime.
// Server-side apply would drop the fields the functions owned alone, but where the runtime co-owns part of
// a condition (its type, say) it would leave a half condition that the API server refuses. So the fields
// are removed outright, with a JSON patch whose tests make it fail rather than remove the wrong item.

import { FIELD_MANAGER } from "../kinds/names.ts";
import { modeOf, type VirtualMCPServer } from "../kinds/toolhive.ts";
import { ownedStatusPaths } from "./drift.ts";

export const RUNTIME_STATUS_FIELDS = ["phase", "message", "backendCount", "discoveredBackends"] as const;
export const RUNTIME_CONDITIONS = ["Ready", "Degraded", "BackendsDiscovered"] as const;

export type JsonPatchOp = { op: "remove"; path: string } | { op: "test"; path: string; value: unknown };

/** The JSON patch that takes the runtime's fields back from the functions, or undefined when none is held. */
export function statusHandover(vmcp: VirtualMCPServer): JsonPatchOp[] | undefined {
  if (modeOf(vmcp) !== "dynamic") return undefined;
  const owned = ownedStatusPaths(vmcp.metadata.managedFields, FIELD_MANAGER);
  const status = vmcp.status ?? {};
  const ops: JsonPatchOp[] = [];
  const conditions = status.conditions ?? [];
  // From the last index down, so earlier removals do not shift later ones.
  for (let i = conditions.length - 1; i >= 0; i--) {
    const type = conditions[i]?.type ?? "";
    if ((RUNTIME_CONDITIONS as readonly string[]).includes(type) && owned.has(`conditions/${type}`)) {
      ops.push(
        { op: "test", path: `/status/conditions/${i}/type`, value: type },
        { op: "remove", path: `/status/conditions/${i}` },
      );
    }
  }
  for (const field of RUNTIME_STATUS_FIELDS) {
    if (owned.has(field) && status[field] !== undefined) ops.push({ op: "remove", path: `/status/${field}` });
  }
  return ops.length > 0 ? ops : undefined;
}
