// Handing a VirtualMCPServer's children and status from one controller to the other without deleting
// anything (docs/adr/0011-living-beside-toolhives-operator.md). Ownership lives in metadata.managedFields:
// - taking over, the operator's entries are merged into vmcp-lambda's apply entry first, so that the
//   apply that follows removes what the operator set and vmcp-lambda does not (an env var, a label);
// - leaving, vmcp-lambda's marks (managed-by, applied hash) go and its entries, the status's included, pass
//   to the operator's field manager: the fields are the operator's from then on, and the API server keeps
//   tracking its updates. (Dropping the entries instead would empty managedFields, and the API server then
//   tracks no update at all; an empty status apply would leave `status: null`, which the CRD refuses:
//   both measured.)
// Every patch first tests the resourceVersion it was computed from: a writer in between makes it fail (422)
// rather than hand over the wrong fields. Pure: the plan returns these, the shell sends them.
import { isTree, type Tree } from "../kinds/json-tree.ts";
import type { KubeObject, ManagedFieldsEntry } from "../kinds/kubernetes.ts";
import { APPLIED_HASH, FIELD_MANAGER, FIELD_MANAGERS, MANAGED_BY, MANAGED_BY_LABEL } from "../kinds/names.ts";

/**
 * The field managers ToolHive's operator writes as. It names none itself, so the API server takes the
 * first word of its user agent, the binary's name (measured with v0.47.0: test/integration/beside-operator).
 */
export const OPERATOR_FIELD_MANAGERS: readonly string[] = ["thv-operator"];

export type OwnershipOp =
  | { op: "test" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** A JSON patch of one object's ownership, sent before (taking over) or instead of (leaving) the applies. */
export interface OwnershipPatch {
  readonly kind: string;
  readonly name: string;
  readonly patch: readonly OwnershipOp[];
}

/** Both sets of fields (fieldsV1 tries): what either entry owns. */
export function unionFields(a: Tree, b: Tree): Tree {
  const union: Tree = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = union[key];
    union[key] = isTree(mine) && isTree(value) ? unionFields(mine, value) : isTree(mine) ? mine : value;
  }
  return union;
}

const sameSubresource = (entry: ManagedFieldsEntry, subresource: string) =>
  (entry.subresource ?? "") === subresource;
const isOperators = (entry: ManagedFieldsEntry) => OPERATOR_FIELD_MANAGERS.includes(entry.manager ?? "");
const isOurs = (entry: ManagedFieldsEntry) => FIELD_MANAGERS.includes(entry.manager ?? "");

const guarded = (object: KubeObject, ops: OwnershipOp[]): OwnershipOp[] => [
  { op: "test", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
  ...ops,
];

/**
 * The patch that gives vmcp-lambda's apply entry for `subresource` ("" for the object, "status") every
 * field the operator's entries hold there; undefined when the operator holds none.
 */
export function takeOver(
  object: KubeObject,
  subresource: "" | "status",
  now: string,
): OwnershipOp[] | undefined {
  const entries = object.metadata.managedFields ?? [];
  const theirs = entries.filter((e) => isOperators(e) && sameSubresource(e, subresource));
  if (theirs.length === 0) return undefined;
  const ours = entries.find(
    (e) => e.manager === FIELD_MANAGER && e.operation === "Apply" && sameSubresource(e, subresource),
  );
  const fields = [ours, ...theirs].reduce<Tree>((all, e) => unionFields(all, asTreeOf(e?.fieldsV1)), {});
  const merged: ManagedFieldsEntry = {
    manager: FIELD_MANAGER,
    operation: "Apply",
    apiVersion: ours?.apiVersion ?? theirs[0]?.apiVersion,
    time: now,
    fieldsType: "FieldsV1",
    fieldsV1: fields,
    ...(subresource ? { subresource } : {}),
  };
  const kept = entries.filter((e) => e !== ours && !theirs.includes(e));
  return guarded(object, [{ op: "replace", path: "/metadata/managedFields", value: [...kept, merged] }]);
}

const asTreeOf = (value: unknown): Tree => (isTree(value) ? value : {});

// JSON pointer escaping of a map key ("app.kubernetes.io/managed-by" → "app.kubernetes.io~1managed-by").
const pointer = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** Whether one of vmcp-lambda's field managers still holds fields of `subresource` ("" or "status"). */
export const holdsFields = (object: KubeObject, subresource: "" | "status"): boolean =>
  (object.metadata.managedFields ?? []).some((e) => isOurs(e) && sameSubresource(e, subresource));

/** A fieldsV1 map without one key; absent when nothing else is left (`{}` would claim the whole map). */
function without(map: unknown, key: string): Tree | undefined {
  if (!isTree(map)) return undefined;
  const rest = Object.fromEntries(Object.entries(map).filter(([k]) => k !== key && k !== "."));
  return Object.keys(rest).length > 0 ? { ...rest, ...(map["."] ? { ".": map["."] } : {}) } : undefined;
}

/** The fields without vmcp-lambda's marks, which the release removes from the object. */
function withoutMarks(fields: Tree): Tree {
  const metadata = fields["f:metadata"];
  if (!isTree(metadata)) return fields;
  const { "f:labels": labels, "f:annotations": annotations, ...rest } = metadata;
  const kept = {
    ...rest,
    ...(labels === undefined ? {} : { "f:labels": without(labels, `f:${MANAGED_BY_LABEL}`) }),
    ...(annotations === undefined ? {} : { "f:annotations": without(annotations, `f:${APPLIED_HASH}`) }),
  };
  const { "f:metadata": _marked, ...others } = fields;
  const metadataLeft = JSON.parse(JSON.stringify(kept)) as Tree;
  return Object.keys(metadataLeft).length > 0 ? { ...others, "f:metadata": metadataLeft } : others;
}

/**
 * The patch that hands what vmcp-lambda no longer controls to the operator: a child (subresource "") loses
 * vmcp-lambda's marks, and the fields vmcp-lambda's managers held there become the operator's. Undefined
 * when nothing of vmcp-lambda's is left.
 */
export function release(
  object: KubeObject,
  subresource: "" | "status",
  now: string,
): OwnershipOp[] | undefined {
  const { labels = {}, annotations = {}, managedFields = [] } = object.metadata;
  const ops: OwnershipOp[] = [];
  if (subresource === "" && labels[MANAGED_BY_LABEL] === MANAGED_BY)
    ops.push({ op: "remove", path: `/metadata/labels/${pointer(MANAGED_BY_LABEL)}` });
  if (subresource === "" && annotations[APPLIED_HASH] !== undefined)
    ops.push({ op: "remove", path: `/metadata/annotations/${pointer(APPLIED_HASH)}` });
  const passing = managedFields.filter(
    (e) => (isOurs(e) || isOperators(e)) && sameSubresource(e, subresource),
  );
  if (passing.some(isOurs)) {
    const fields = passing.reduce<Tree>((all, e) => unionFields(all, asTreeOf(e.fieldsV1)), {});
    const operators: ManagedFieldsEntry = {
      manager: OPERATOR_FIELD_MANAGERS[0],
      operation: "Update",
      apiVersion: passing[0]?.apiVersion,
      time: now,
      fieldsType: "FieldsV1",
      fieldsV1: withoutMarks(fields),
      ...(subresource ? { subresource } : {}),
    };
    const kept = managedFields.filter((e) => !passing.includes(e));
    ops.push({ op: "replace", path: "/metadata/managedFields", value: [...kept, operators] });
  }
  return ops.length > 0 ? guarded(object, ops) : undefined;
}
