// The validating webhook's decision, given what the API server said about the objects referenced.
// Lookups are done by the shell; this only decides, so every rule is tested without a cluster.

import { isObjectName } from "../kinds/field-errors.ts";
import { isTree } from "../kinds/json-tree.ts";
import { shown } from "../kinds/shown.ts";
import {
  type ExternalAuthConfig,
  groupOf,
  modeOf,
  outgoingAuthEntries,
  VirtualMCPServer,
} from "../kinds/toolhive.ts";
import type { Reference } from "../references/reference.ts";
import { REFERENCE_FIELDS, REFERENCES, type ReferenceField } from "../references/references.ts";
import { authServerOf } from "../runtime/auth-server.ts";
import { unknownSettingWarning } from "../runtime/config-fit.ts";
import { convertAuthConfig } from "../runtime/outgoing-auth.ts";
import { DEFAULT_RUNTIME_VERSION } from "../runtime/versions.ts";
import type { AdmissionRequest } from "./review.ts";
import { specProblems } from "./spec-problems.ts";

/** What a lookup found: the object exists, does not, or the API server could not be asked. */
export type Found = "found" | "missing" | { error: string };

export interface References {
  readonly group?: string;
  /** The objects of referenced kinds (core/references) the spec names, per field; names unique. */
  readonly referenced: { readonly [F in ReferenceField]: readonly string[] };
  /** Field path → MCPExternalAuthConfig name, for every outgoing auth of type externalAuthConfigRef. */
  readonly authConfigs: ReadonlyMap<string, string>;
  /** Static mode only: the group's member count feeds a warning, so only then is it worth a lookup. */
  readonly countMembers: boolean;
}

export interface Lookups {
  readonly group?: Found;
  readonly authConfigs: ReadonlyMap<string, Found>;
  /** Members of the group, where known (an inline VirtualMCPServer over an empty group gets a warning). */
  readonly members?: number;
  /** The referenced auth configs found, by field path: one of a type no backend can use is refused. */
  readonly authConfigObjects?: ReadonlyMap<string, ExternalAuthConfig>;
  /** What the API server said about each referenced object, per field and name. */
  readonly referenced?: { readonly [F in ReferenceField]?: ReadonlyMap<string, Looked> };
}

/** One referenced object looked up: whether it was found, and the object when it was. */
export interface Looked {
  readonly found: Found;
  readonly object?: unknown;
}

export interface Decision {
  readonly allowed: boolean;
  readonly message?: string;
  readonly warnings: string[];
}

const parseVmcp = (object: unknown) => {
  const parsed = VirtualMCPServer.safeParse(object);
  return parsed.success ? parsed.data : undefined;
};

/** The cross-object references a request needs checked (none for other kinds or operations). */
export function referencesOf(request: AdmissionRequest): References {
  const vmcp =
    request.kind.kind === "VirtualMCPServer" && request.operation !== "DELETE" && !request.subResource
      ? parseVmcp(request.object)
      : undefined;
  const referenced = (names: (field: ReferenceField) => readonly string[]) =>
    Object.fromEntries(REFERENCE_FIELDS.map((field) => [field, names(field)])) as References["referenced"];
  if (!vmcp) return { authConfigs: new Map(), countMembers: false, referenced: referenced(() => []) };
  const refs = new Map<string, string>();
  for (const [path, auth] of outgoingAuthEntries(vmcp.spec.outgoingAuth)) {
    const name = auth.externalAuthConfigRef?.name;
    // A name that cannot be one is a validation error; looking it up could only mislead ("g/status" finds g).
    if (auth.type === "externalAuthConfigRef" && name && isObjectName(name))
      refs.set(`${path}.externalAuthConfigRef.name`, name);
  }
  const group = groupOf(vmcp);
  return {
    group: group && isObjectName(group) ? group : undefined,
    authConfigs: refs,
    countMembers: modeOf(vmcp) === "static",
    referenced: referenced((field) => [...new Set(REFERENCES[field].refs(vmcp).map((ref) => ref.name))]),
  };
}

/**
 * The referenced objects judged by their resolvers, as the reconcile will judge them. An object the API
 * server could not be asked about is unverified (refused, or admitted with a warning when failing open).
 */
function referenceProblems(
  vmcp: VirtualMCPServer,
  lookups: Lookups,
  runtimeVersion: string,
  unverified: (path: string, kind: string, name: string, found: Found) => void,
): string[] {
  return REFERENCE_FIELDS.flatMap((field) => {
    const entry = REFERENCES[field] as Reference;
    const looked = lookups.referenced?.[field] ?? new Map<string, Looked>();
    const refs = entry.refs(vmcp);
    const found = new Map<string, unknown>();
    const judged = refs.filter((ref) => {
      const result = looked.get(ref.name) ?? { found: { error: "not looked up" } };
      if (result.found === "found") {
        const parsed = entry.schema.safeParse(result.object);
        if (parsed.success) found.set(ref.name, parsed.data);
        else unverified(ref.path, entry.kind, ref.name, { error: "its spec could not be read" });
        return parsed.success;
      }
      if (result.found !== "missing") unverified(ref.path, entry.kind, ref.name, result.found);
      return result.found === "missing";
    });
    return entry
      .resolve({ vmcp, refs: judged, found, runtimeVersion })
      .errors.map((e) => `${e.path}: ${e.message}`);
  });
}

function lookupProblem(
  path: string,
  kind: string,
  name: string,
  namespace: string,
  found: Found | undefined,
): string | undefined {
  if (found === "missing")
    return `${path}: ${kind} ${shown(name)} not found in namespace ${shown(namespace)}; create it or fix the name`;
  if (found && found !== "found")
    return `${path}: ${kind} ${shown(name)} could not be verified (${found.error}); try again`;
  return undefined;
}

function validateMember(request: AdmissionRequest): Decision {
  const spec = isTree(request.object) && isTree(request.object.spec) ? request.object.spec : {};
  const ref = spec.groupRef;
  const name = typeof ref === "string" ? ref : isTree(ref) ? ref.name : undefined;
  if (ref !== undefined && (typeof name !== "string" || name === "")) {
    return {
      allowed: false,
      message: `spec.groupRef.name: must name an MCPGroup in the same namespace, or leave spec.groupRef out`,
      warnings: [],
    };
  }
  return { allowed: true, warnings: [] };
}

export interface ValidationOptions {
  readonly failOpen?: boolean;
  /** The vMCP runtime version the functions deploy: what spec.config may hold depends on it. */
  readonly runtimeVersion?: string;
}

export function decideValidation(
  request: AdmissionRequest,
  lookups: Lookups,
  options: ValidationOptions = {},
): Decision {
  if (request.operation === "DELETE" || request.operation === "CONNECT")
    return { allowed: true, warnings: [] };
  // A status write cannot change the spec, which was judged when it was written; refusing one for what a
  // referenced object has become since would silence the runtime's reports (the webhook sees status
  // writes only to hint them).
  if (request.subResource) return { allowed: true, warnings: [] };
  // The API server sends the object of the kind it names; anything else is not a request to judge by its spec.
  const objectKind = isTree(request.object) ? request.object.kind : undefined;
  if (objectKind !== undefined && objectKind !== request.kind.kind) {
    return {
      allowed: false,
      message: `object: kind ${shown(String(objectKind))} does not match the request's kind ${shown(request.kind.kind)}`,
      warnings: [],
    };
  }
  if (request.kind.kind === "MCPServer" || request.kind.kind === "MCPRemoteProxy")
    return validateMember(request);
  if (request.kind.kind !== "VirtualMCPServer") return { allowed: true, warnings: [] };
  const vmcp = parseVmcp(request.object);
  if (!vmcp)
    return {
      allowed: false,
      message: "the object is not a VirtualMCPServer: metadata and spec must be objects",
      warnings: [],
    };
  const namespace = request.namespace ?? vmcp.metadata.namespace ?? "";
  const version = options.runtimeVersion ?? DEFAULT_RUNTIME_VERSION;
  const spec = specProblems(vmcp, version);
  const errors = spec.errors.map((e) => `${e.path}: ${e.message}`);
  const warnings = spec.fit.unknown.map((path) => unknownSettingWarning(path, options.runtimeVersion));
  const unverified: string[] = [];
  const refs = referencesOf(request);
  const check = (path: string, kind: string, name: string, found: Found | undefined) => {
    const problem = lookupProblem(path, kind, name, namespace, found);
    if (!problem) return;
    if (found !== "missing" && options.failOpen)
      warnings.push(problem.replace("; try again", "; admitted unverified"));
    else if (found !== "missing") unverified.push(problem);
    else errors.push(problem);
  };
  if (refs.group) check("spec.groupRef.name", "MCPGroup", refs.group, lookups.group);
  for (const [path, name] of refs.authConfigs)
    check(path, "MCPExternalAuthConfig", name, lookups.authConfigs.get(path));
  errors.push(...referenceProblems(vmcp, lookups, version, check));
  for (const [path, config] of lookups.authConfigObjects ?? []) {
    const resolved = convertAuthConfig(config, authServerOf(vmcp));
    if (!resolved.ok) errors.push(`${path}: ${resolved.reason}`);
  }
  if (modeOf(vmcp) === "static" && lookups.group === "found" && lookups.members === 0) {
    warnings.push(
      `spec.outgoingAuth.source: inline, but MCPGroup ${shown(refs.group ?? "")} has no members yet; the server has no backend until one joins`,
    );
  }
  const old = request.operation === "UPDATE" ? parseVmcp(request.oldObject) : undefined;
  if (old && modeOf(old) !== modeOf(vmcp)) {
    warnings.push(
      modeOf(vmcp) === "dynamic"
        ? "spec.outgoingAuth.source: switching to discovered; the vMCP runtime takes over discoveredBackends, backendCount, phase and Ready"
        : "spec.outgoingAuth.source: switching to inline; vmcp-lambda takes over discoveredBackends, backendCount, phase and Ready",
    );
  }
  const problems = [...errors, ...unverified];
  return problems.length > 0
    ? { allowed: false, message: problems.join("; "), warnings }
    : { allowed: true, warnings };
}
