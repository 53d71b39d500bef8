// Whether the functions' desired state already holds, so that an unchanged object is never written.
// A child is in place when the hash of what was last applied matches and every desired field still has
// its value (someone may have edited it); status when every desired value holds and the fields the
// functions own are exactly the desired ones (server-side apply drops the rest only on a write).
import { contentHash, isTree, type Tree } from "../kinds/json-tree.ts";
import type { KubeObject, ManagedFieldsEntry } from "../kinds/kubernetes.ts";
import { APPLIED_HASH } from "../kinds/names.ts";
import type { Child } from "./desired-children.ts";

const LIST_KEYS = ["name", "type"] as const;
const listKeyOf = (item: unknown) =>
  isTree(item) ? LIST_KEYS.find((k) => typeof item[k] === "string") : undefined;

/** Every value in `desired` is in `live`; keyed lists match by name or type, other lists position by position. */
export function holds(desired: unknown, live: unknown): boolean {
  if (isTree(desired))
    return isTree(live) && Object.entries(desired).every(([k, v]) => v === undefined || holds(v, live[k]));
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return false;
    const key =
      desired.length > 0 && desired.every((item) => listKeyOf(item) === listKeyOf(desired[0]))
        ? listKeyOf(desired[0])
        : undefined;
    if (key)
      return desired.every((item) =>
        live.some((l) => isTree(l) && l[key] === (item as Tree)[key] && holds(item, l)),
      );
    return desired.length === live.length && desired.every((item, i) => holds(item, live[i]));
  }
  return desired === live;
}

/** The child with the hash of its own content in an annotation. */
export function withAppliedHash(child: Child): Child {
  const hash = contentHash(child).slice(0, 16);
  return {
    ...child,
    metadata: { ...child.metadata, annotations: { ...child.metadata.annotations, [APPLIED_HASH]: hash } },
  };
}

export function childInPlace(desired: Child, live: KubeObject | undefined): boolean {
  if (!live) return false;
  const hash = desired.metadata.annotations?.[APPLIED_HASH];
  return live.metadata.annotations?.[APPLIED_HASH] === hash && holds(desired, live);
}

/** Paths a status apply covers: top-level fields, plus `field/key` for keyed list items. */
export function statusPaths(status: Tree): Set<string> {
  const paths = new Set<string>();
  for (const [field, value] of Object.entries(status)) {
    if (value === undefined) continue;
    paths.add(field);
    if (Array.isArray(value)) {
      for (const item of value) {
        const key = listKeyOf(item);
        if (key) paths.add(`${field}/${(item as Tree)[key]}`);
      }
    }
  }
  return paths;
}

/** The same paths, read from the managedFields entry of `manager`'s applies to /status. */
export function ownedStatusPaths(
  entries: readonly ManagedFieldsEntry[] | undefined,
  manager: string,
): Set<string> {
  const entry = entries?.find(
    (e) => e.manager === manager && e.operation === "Apply" && e.subresource === "status",
  );
  return entry ? statusPathsOf(entry) : new Set();
}

/** The status paths one managedFields entry covers. */
export function statusPathsOf(entry: ManagedFieldsEntry): Set<string> {
  const paths = new Set<string>();
  const status = (entry.fieldsV1 as Tree | undefined)?.["f:status"];

  if (!isTree(status)) return paths;
  for (const [field, value] of Object.entries(status)) {
    if (!field.startsWith("f:")) continue;
    const name = field.slice(2);
    paths.add(name);
    if (!isTree(value)) continue;
    for (const itemKey of Object.keys(value)) {
      // k:{"type":"Ready"} or k:{"name":"fetch"}
      if (!itemKey.startsWith("k:")) continue;
      const parsed = JSON.parse(itemKey.slice(2)) as Tree;
      const key = LIST_KEYS.find((k) => typeof parsed[k] === "string");
      if (key) paths.add(`${name}/${parsed[key]}`);
    }
  }
  return paths;
}

export function statusInPlace(
  desired: Tree,
  live: KubeObject & { status?: unknown },
  manager: string,
): boolean {
  if (!holds(desired, live.status ?? {})) return false;
  const want = statusPaths(desired);
  const owned = ownedStatusPaths(live.metadata.managedFields, manager);
  return want.size === owned.size && [...want].every((p) => owned.has(p));
}
