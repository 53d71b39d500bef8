// The mutating webhook's decisions: migrate deprecated spellings (with a warning each), fill defaults a
// CRD may lack, and label members and VirtualMCPServers with their group so later reads can select by
// label. Applying it to its own output changes nothing, so an empty patch comes back on reinvocation.
import jsonPatch from "fast-json-patch";
import { deeperThan, isTree, MAX_SPEC_DEPTH, type Tree } from "../kinds/json-tree.ts";
import { GROUP_LABEL } from "../kinds/names.ts";
import { outgoingAuthEntries } from "../kinds/outgoing-auth-entries.ts";
import { shown } from "../kinds/shown.ts";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export interface Mutation {
  readonly patch: jsonPatch.Operation[];
  readonly warnings: string[];
}

// The object came from JSON and goes back as JSON: a JSON round trip copies it exactly, faster than structuredClone.
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

function setGroupLabel(object: Tree, group: string | undefined, warnings: string[]): void {
  if (!isTree(object.metadata)) object.metadata = {};
  const metadata = object.metadata as Tree;
  const labels = isTree(metadata.labels) ? (metadata.labels as Record<string, string>) : undefined;
  if (group && group.length <= 63 && LABEL_VALUE.test(group)) {
    metadata.labels = { ...labels, [GROUP_LABEL]: group };
    return;
  }
  if (group)
    warnings.push(
      `metadata.labels: group ${shown(group)} cannot be a label value; ${GROUP_LABEL} is not set`,
    );
  if (labels) delete labels[GROUP_LABEL];
}

function migrateAuthType(spec: Tree, warnings: string[]): void {
  const outgoing = spec.outgoingAuth;
  if (!isTree(outgoing)) return;
  const backends = isTree(outgoing.backends) ? outgoing.backends : undefined;
  for (const [path, auth] of outgoingAuthEntries({ default: outgoing.default, backends })) {
    if (isTree(auth) && auth.type === "external_auth_config_ref") {
      auth.type = "externalAuthConfigRef";
      warnings.push(
        `${path}.type: "external_auth_config_ref" is deprecated; changed to "externalAuthConfigRef"`,
      );
    }
  }
}

function mutateVirtualMCPServer(object: Tree, warnings: string[]): void {
  if (!isTree(object.spec)) object.spec = {};
  const spec = object.spec as Tree;

  const config = isTree(spec.config) ? spec.config : undefined;
  if (config && typeof config.groupRef === "string") {
    if (!isTree(spec.groupRef) || !spec.groupRef.name) spec.groupRef = { name: config.groupRef };
    warnings.push(
      `spec.config.groupRef is deprecated; moved to spec.groupRef.name (${shown(config.groupRef)})`,
    );
    delete config.groupRef;
  }
  migrateAuthType(spec, warnings);
  if (isTree(spec.outgoingAuth) && spec.outgoingAuth.source === undefined)
    spec.outgoingAuth.source = "discovered";
  spec.serviceType ??= "ClusterIP";
  setGroupLabel(
    object,
    isTree(spec.groupRef) && typeof spec.groupRef.name === "string" ? spec.groupRef.name : undefined,
    warnings,
  );
}

function mutateMember(kind: string, object: Tree, warnings: string[]): void {
  const spec = isTree(object.spec) ? object.spec : undefined;
  let group: string | undefined;
  if (spec && typeof spec.groupRef === "string") {
    group = spec.groupRef;
    spec.groupRef = { name: group };
    warnings.push(
      `spec.groupRef: the plain string form is deprecated; changed to {name: ${shown(group)}} on this ${kind}`,
    );
  } else if (spec && isTree(spec.groupRef) && typeof spec.groupRef.name === "string")
    group = spec.groupRef.name;
  setGroupLabel(object, group, warnings);
}

/** The patch and warnings for one object of `kind`; objects of other kinds are left alone. */
export function mutate(kind: string, object: unknown): Mutation {
  if (!isTree(object)) return { patch: [], warnings: [] };
  // Too deep to copy and compare without overflowing the stack (spec, and managedFields mirroring it, plus
  // their parents): left as it is, for validation to refuse with the reason.
  if (deeperThan(object, MAX_SPEC_DEPTH + 16)) return { patch: [], warnings: [] };
  // Not the kind the request names: nothing to default (the validating webhook refuses it).
  if (object.kind !== undefined && object.kind !== kind) return { patch: [], warnings: [] };
  const warnings: string[] = [];
  const mutated = clone(object);
  if (kind === "VirtualMCPServer") mutateVirtualMCPServer(mutated, warnings);
  else if (kind === "MCPServer" || kind === "MCPRemoteProxy") mutateMember(kind, mutated, warnings);
  else return { patch: [], warnings: [] };
  return { patch: jsonPatch.compare(object, mutated), warnings };
}
