// JSON objects as plain trees: the one shape check, the one canonical key order and the one content hash
// the core uses.
import { createHash } from "node:crypto";

export type Tree = Record<string, unknown>;

export const isTree = (value: unknown): value is Tree =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A value that should be a list, read as one (none when it is not): for unchecked trees. */
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A value that should be an object, read as one (empty when it is not): for unchecked trees. */
export const asTree = (value: unknown): Tree => (isTree(value) ? value : {});

/** The same value with every object's keys sorted, so equal content serializes to equal bytes. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isTree(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** SHA-256 hex of the value's JSON with every object's keys sorted: equal content, equal hash. */
export const contentHash = (value: unknown): string =>
  createHash("sha256")
    .update(JSON.stringify(sortKeys(value ?? null)))
    .digest("hex");

/**
 * How deep a VirtualMCPServer's spec fields may nest. Far deeper than any real setting; the API server
 * stores up to 10,000 levels, but a reconcile's YAML and JSON writers overflow the stack near 600.
 */
export const MAX_SPEC_DEPTH = 100;

/**
 * True when `value` holds containers (objects or arrays) nested more than `levels` deep, itself counting
 * as the first. Iterative, with an explicit stack: the values it guards would overflow a recursive walk.
 */
export function deeperThan(value: unknown, levels: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== "object") continue;
    if (depth > levels) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}
