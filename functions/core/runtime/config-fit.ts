// Fitting spec.config to what the runtime of one version decodes: unknown keys and wrong kinds left out
// and reported, so admission can warn or refuse and the renderer never writes what the runtime rejects.

import type { FieldError } from "../kinds/field-errors.ts";
import { deeperThan, isTree, MAX_SPEC_DEPTH, type Tree } from "../kinds/json-tree.ts";
import { _, ANY, COMPOSITE_TOOL, RUNTIME_CONFIG_SHAPE, type Shape } from "./config-shape.ts";

/** v0.47.0 against v0.44.0: numerically, part by part. */
export function versionAtLeast(version: string, floor: string): boolean {
  const parts = (v: string) => v.replace(/^v/, "").split(".").map(Number);
  const [a, b] = [parts(version), parts(floor)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

const isScalar = (value: unknown) => value === null || typeof value !== "object";
const isWrapper = (
  shape: object,
): shape is { list: Shape } | { map: Shape } | { since: string; shape: Shape } =>
  ("list" in shape || "map" in shape || "since" in shape) && Object.keys(shape).length <= 2;

export interface Fitted {
  readonly value: unknown;
  /** Keys the runtime of this version does not know (a later version's, or none's): left out. */
  readonly unknown: string[];
  /** Values of the wrong kind (a list where a scalar goes, a scalar where settings go): left out too. */
  readonly misshapen: { path: string; expected: string }[];
}

/** `value` with what the runtime of `version` would refuse left out; `path` prefixes the paths reported. */
export function fitToShape(value: unknown, shape: Shape, version: string, path: string): Fitted {
  const unknown: string[] = [];
  const misshapen: Fitted["misshapen"] = [];
  const wrong = (path: string, expected: string) => {
    misshapen.push({ path, expected });
    return undefined;
  };
  const keep = (v: unknown, s: Shape, at: string): unknown => {
    if (s === ANY) return v;
    if (s === _) return isScalar(v) ? v : wrong(at, "a single value");
    if (isWrapper(s)) {
      if ("since" in s) {
        if (versionAtLeast(version, s.since)) return keep(v, s.shape, at);
        unknown.push(at);
        return undefined;
      }
      if ("list" in s) {
        if (!Array.isArray(v)) return wrong(at, "a list");
        return v.map((item, i) => keep(item, s.list, `${at}[${i}]`)).filter((item) => item !== undefined);
      }
      if (!isTree(v)) return wrong(at, "a mapping of names to values");
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, keep(item, s.map, `${at}.${k}`)]));
    }
    if (!isTree(v)) return wrong(at, "a mapping of settings");
    const kept: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      const inner = (s as Record<string, Shape>)[key];
      if (inner === undefined) unknown.push(`${at}.${key}`);
      else {
        const fitted = keep(item, inner, `${at}.${key}`);
        if (fitted !== undefined) kept[key] = fitted;
      }
    }
    return kept;
  };
  return { value: keep(value, shape, path), unknown, misshapen };
}

// rateLimiting's refillPeriod is a Kubernetes duration: "1m" in the CRD, {duration: 1m} for the runtime's
// YAML decoder (metav1.Duration has no YAML unmarshaller). The one place the two shapes differ.
function rateLimitingForRuntime(written: unknown): unknown {
  if (!isTree(written)) return written;
  const bucket = (b: unknown) =>
    isTree(b) && typeof b.refillPeriod === "string"
      ? { ...b, refillPeriod: { duration: b.refillPeriod } }
      : b;
  const converted: Tree = { ...written };
  for (const key of ["perUser", "shared"]) if (key in converted) converted[key] = bucket(converted[key]);
  if (Array.isArray(written.tools))
    converted.tools = written.tools.map((t) =>
      isTree(t)
        ? {
            ...t,
            ...("perUser" in t ? { perUser: bucket(t.perUser) } : {}),
            ...("shared" in t ? { shared: bucket(t.shared) } : {}),
          }
        : t,
    );
  return converted;
}

/** Rendered from the spec's own fields, whatever spec.config says: not the user's to set there. */
const RENDERED_KEYS = ["name", "groupRef", "incomingAuth", "outgoingAuth", "sessionStorage", "backends"];

/** spec.config as the runtime of `version` would read it, and what had to be left out. */
export function fitSpecConfig(config: Tree | undefined, version: string): Fitted & { value: Tree } {
  const written: Tree = { ...(config ?? {}) };
  if (written.rateLimiting !== undefined) written.rateLimiting = rateLimitingForRuntime(written.rateLimiting);
  for (const key of RENDERED_KEYS) delete written[key];
  const fitted = fitToShape(written, RUNTIME_CONFIG_SHAPE, version, "spec.config");
  return { ...fitted, value: (fitted.value ?? {}) as Tree };
}

/**
 * A composite tool kept outside spec.config (a VirtualMCPCompositeToolDefinition's spec) as the runtime of
 * `version` reads one in compositeTools; `path` prefixes what is reported.
 */
export function fitCompositeTool(tool: Tree, version: string, path: string): Fitted & { value: Tree } {
  const fitted = fitToShape(tool, COMPOSITE_TOOL, version, path);
  return { ...fitted, value: (fitted.value ?? {}) as Tree };
}

/** One top-level setting (e.g. telemetry) as the runtime of `version` reads it; `path` prefixes what is reported. */
export function fitRuntimeSetting(key: string, value: unknown, version: string, path: string): Fitted {
  const shape = (RUNTIME_CONFIG_SHAPE as Readonly<Record<string, Shape>>)[key];
  return shape === undefined
    ? { value: undefined, unknown: [path], misshapen: [] }
    : fitToShape(value, shape, version, path);
}

/** The warning (admission) and Event (reconcile) for a setting the runtime does not know. */
export const unknownSettingWarning = (path: string, version = "") =>
  `${path}: not a setting of the vMCP runtime${version ? ` ${version}` : ""}; left out of its configuration (it would refuse to start)`;

/**
 * What spec.config holds that the runtime of `version` cannot take: wrong kinds are errors (the setting
 * would be lost), unknown keys are named and left out; `config` is what the runtime gets of it. Nothing
 * for a config too deep to walk, which validation already refuses.
 */
export function specConfigProblems(
  config: Tree | undefined,
  version: string,
): { errors: FieldError[]; unknown: string[]; config: Tree } {
  if (config === undefined || deeperThan(config, MAX_SPEC_DEPTH))
    return { errors: [], unknown: [], config: {} };
  const { misshapen, unknown, value } = fitSpecConfig(config, version);
  return {
    config: value,
    errors: misshapen.map(({ path, expected }) => ({
      path,
      message: `the vMCP runtime ${version} takes ${expected} here`,
    })),
    unknown,
  };
}
