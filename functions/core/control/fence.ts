// The fence: ToolHive's operator runs a VirtualMCPServer controller that cannot be switched off, so the
// admission function refuses its writes to what vmcp-lambda controls. The API server sends only the
// operator's writes to VirtualMCPServers and to objects a VirtualMCPServer owns (infra/webhooks, the
// fence's matchConditions); this decides them. Pure: the shell looks up the owning VirtualMCPServer when
// the request alone cannot tell (docs/adr/0011-living-beside-toolhives-operator.md).
import { isTree } from "../kinds/json-tree.ts";
import type { KubeObject } from "../kinds/kubernetes.ts";
import { API_GROUP, MANAGED_BY, MANAGED_BY_LABEL } from "../kinds/names.ts";
import { shown } from "../kinds/shown.ts";
import { CONTROLLER_LABEL, type Controller, controlledByUs } from "./controller.ts";
import { holdsFields } from "./handover.ts";

type Meta = {
  name?: string;
  labels?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string }[];
  managedFields?: { manager?: string; subresource?: string }[];
};

/** The parts of an AdmissionRequest the fence reads. */
export interface FencedWrite {
  readonly kind: { readonly kind: string };
  readonly namespace?: string;
  readonly name?: string;
  readonly subResource?: string;
  readonly operation: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
}

export type FenceVerdict = { readonly allowed: true } | { readonly allowed: false; readonly message: string };

const metaOf = (object: unknown): Meta | undefined =>
  isTree(object) && isTree(object.metadata) ? (object.metadata as Meta) : undefined;

/** The object as it stands before the write (a create has none): what the fence judges by. */
const standing = (write: FencedWrite) => metaOf(write.oldObject) ?? metaOf(write.object);

/** The VirtualMCPServer a write is about: itself, or the one that owns the object written. */
export function fencedOwner(write: FencedWrite): string | undefined {
  if (write.kind.kind === "VirtualMCPServer") return write.name ?? standing(write)?.name;
  for (const meta of [metaOf(write.oldObject), metaOf(write.object)]) {
    const owner = meta?.ownerReferences?.find(
      (ref) => ref.kind === "VirtualMCPServer" && ref.apiVersion?.split("/")[0] === API_GROUP,
    );
    if (owner?.name) return owner.name;
  }
  return undefined;
}

/**
 * What the request alone decides, before any lookup: a VirtualMCPServer carries its own label, and a child
 * that still bears vmcp-lambda's mark is vmcp-lambda's (controlled, or being handed back). "lookup" when
 * only the owning VirtualMCPServer can tell.
 */
export function fenceByRequest(write: FencedWrite, fallback: Controller): FenceVerdict | "lookup" {
  const owner = fencedOwner(write);
  if (!owner) return { allowed: true };
  const target = `${write.kind.kind}${write.subResource ? `/${write.subResource}` : ""} ${shown(`${write.namespace}/${standing(write)?.name ?? write.name ?? ""}`)}`;
  if (write.kind.kind === "VirtualMCPServer") {
    const vmcp = { metadata: standing(write) };
    if (controlledByUs(vmcp, fallback)) return refused(owner, write.namespace, target);
    if (holdsFields({ metadata: { name: owner, ...vmcp.metadata } }, "status"))
      return handingBack(owner, write.namespace, target);
    return { allowed: true };
  }
  if (metaOf(write.oldObject)?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
    return marked(owner, write.namespace, target);
  return "lookup";
}

/** The decision once the owning VirtualMCPServer was looked up (undefined: it is gone, or could not be read). */
export function fenceByOwner(write: FencedWrite, owner: unknown, fallback: Controller): FenceVerdict {
  const name = fencedOwner(write) ?? "";
  // Gone: garbage collection is taking its children. Unreadable: the fence fails open, as its
  // failurePolicy does, and vmcp-lambda's next reconcile takes back whatever the operator wrote.
  if (!isTree(owner) || !isTree(owner.metadata)) return { allowed: true };
  const target = `${write.kind.kind} ${shown(`${write.namespace}/${standing(write)?.name ?? write.name ?? ""}`)}`;
  if (controlledByUs(owner, fallback)) return refused(name, write.namespace, target);
  // Handing back, vmcp-lambda releases the status last: until then, no child is the operator's yet, so
  // that the two never write one VirtualMCPServer at the same time.
  if (holdsFields(owner as KubeObject, "status")) return handingBack(name, write.namespace, target);
  return { allowed: true };
}

const refused = (owner: string, namespace: string | undefined, target: string): FenceVerdict => ({
  allowed: false,
  message: `VirtualMCPServer ${shown(`${namespace}/${owner}`)} is controlled by vmcp-lambda, so ToolHive's operator may not write its ${target}; to hand it to the operator: kubectl label virtualmcpserver ${owner} -n ${namespace} ${CONTROLLER_LABEL}=toolhive-operator --overwrite`,
});

const marked = (owner: string, namespace: string | undefined, target: string): FenceVerdict => ({
  allowed: false,
  message: `${target} bears ${MANAGED_BY_LABEL}=${MANAGED_BY}: VirtualMCPServer ${shown(`${namespace}/${owner}`)} is controlled by vmcp-lambda, or is being handed to ToolHive's operator and not released yet; to hand it over: kubectl label virtualmcpserver ${owner} -n ${namespace} ${CONTROLLER_LABEL}=toolhive-operator --overwrite`,
});

const handingBack = (owner: string, namespace: string | undefined, target: string): FenceVerdict => ({
  allowed: false,
  message: `VirtualMCPServer ${shown(`${namespace}/${owner}`)} is being handed to ToolHive's operator and vmcp-lambda has not finished releasing it (the status goes last), so the operator may not write its ${target} yet; its next retry will find it released`,
});
