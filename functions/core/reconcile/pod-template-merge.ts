// spec.podTemplateSpec as a strategic merge patch over the generated pod template, the way kubectl and
// ToolHive apply it: maps merge, `null` deletes, lists of named things merge by their key, other lists
// are replaced. Also says what is wrong with a patch before anything is built from it.

import type { FieldError } from "../kinds/field-errors.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";

/** Merge keys of the PodTemplateSpec lists that Kubernetes merges rather than replaces. */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  imagePullSecrets: "name",
  hostAliases: "ip",
};

function mergeList(base: unknown[], patch: unknown[], key: string): unknown[] {
  const merged = [...base];
  for (const item of patch) {
    if (!isTree(item)) continue;
    if (item.$patch === "delete") {
      const at = merged.findIndex((b) => isTree(b) && b[key] === item[key]);
      if (at >= 0) merged.splice(at, 1);
      continue;
    }
    const at = merged.findIndex((b) => isTree(b) && b[key] === item[key]);
    if (at >= 0) merged[at] = strategicMerge(merged[at] as Tree, item);
    else merged.push(strategicMerge({}, item));
  }
  return merged;
}

export function strategicMerge(base: Tree, patch: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [field, value] of Object.entries(patch)) {
    if (field === "$patch") continue;
    if (value === null) delete merged[field];
    else if (isTree(value))
      merged[field] = strategicMerge(isTree(merged[field]) ? (merged[field] as Tree) : {}, value);
    else if (Array.isArray(value) && MERGE_KEYS[field] && Array.isArray(merged[field])) {
      merged[field] = mergeList(merged[field] as unknown[], value, MERGE_KEYS[field]);
    } else merged[field] = value;
  }
  return merged;
}

/** Problems that would make the merge meaningless: keyed list items without their key, wrong shapes. */
export function validatePodTemplatePatch(patch: unknown, path = "spec.podTemplateSpec"): FieldError[] {
  if (!isTree(patch)) return [{ path, message: "must be an object (a PodTemplateSpec: metadata and spec)" }];
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const at = `${path}.${field}`;
    if (isTree(value)) errors.push(...validatePodTemplatePatch(value, at));
    else if (Array.isArray(value) && MERGE_KEYS[field]) {
      const key = MERGE_KEYS[field];
      value.forEach((item, i) => {
        if (!isTree(item)) errors.push({ path: `${at}[${i}]`, message: "must be an object" });
        else {
          if (item[key] === undefined)
            errors.push({
              path: `${at}[${i}].${key}`,
              message: `required: ${field} entries are merged by ${key}`,
            });
          errors.push(
            ...validatePodTemplatePatch(item, `${at}[${i}]`).filter((e) => !e.path.endsWith(".$patch")),
          );
        }
      });
    }
  }
  return errors;
}
