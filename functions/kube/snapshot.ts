// Reads what one reconcile needs, each resource type at most once, or what a resync needs, each type
// listed once for all objects. Objects that do not parse are left out with a note, never fatal.
import type { KubeConfig } from "@kubernetes/client-node";
import type { z } from "zod";
import { KubeObject } from "../core/kinds/kubernetes.ts";
import { MANAGED_BY, MANAGED_BY_LABEL } from "../core/kinds/names.ts";
import type { Kind } from "../core/kinds/resources.ts";
import { VirtualMCPServer } from "../core/kinds/toolhive.ts";
import type { Snapshot } from "../core/reconcile/plan.ts";
import {
  CHILD_KINDS,
  childKeys,
  listedByResync,
  namesSelected,
  RELATED,
  RELATED_FIELDS,
  type RelatedField,
  type RelatedObjects,
} from "../core/reconcile/related-kinds.ts";
import { getObject, listObjects } from "./api.ts";

function parseAll<T extends z.ZodType>(schema: T, items: unknown[]): z.infer<T>[] {
  return items.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

function parseVirtualMCPServer(object: unknown): VirtualMCPServer | undefined {
  const parsed = VirtualMCPServer.safeParse(object);
  return parsed.success ? parsed.data : undefined;
}

/** The VirtualMCPServer alone, as a snapshot holds it, or undefined. */
export async function readVirtualMCPServer(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<VirtualMCPServer | undefined> {
  return parseVirtualMCPServer(await getObject(kc, "VirtualMCPServer", namespace, name));
}

const withKind = (kind: Kind) => (object: unknown) => (object ? { ...(object as object), kind } : undefined);

/** One related field of one VirtualMCPServer: a GET of the object it names, or a LIST of the namespace. */
async function readRelated(kc: KubeConfig, vmcp: VirtualMCPServer, field: RelatedField): Promise<unknown> {
  const { kinds, schema, select } = RELATED[field];
  const namespace = vmcp.metadata.namespace ?? "";
  const names = namesSelected(field, vmcp);
  const [kind] = kinds;
  if (names === undefined || !kind) {
    const lists = await Promise.all(kinds.map((k) => listObjects(kc, k, { namespace })));
    return parseAll(schema, lists.flat());
  }
  const found = await Promise.all(
    names.map((name) => getObject(kc, kind, namespace, name).then(withKind(kind))),
  );
  const objects = parseAll(schema, found.filter(Boolean));
  return select.by === "name" ? objects[0] : objects;
}

/** The snapshot of one VirtualMCPServer, or undefined when it does not exist (or cannot be read as one). */
export async function readSnapshot(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<Snapshot | undefined> {
  const vmcp = await readVirtualMCPServer(kc, namespace, name);
  if (!vmcp) return undefined;
  const [related, children] = await Promise.all([
    Promise.all(RELATED_FIELDS.map((field) => readRelated(kc, vmcp, field))),
    Promise.all(
      childKeys(name).map(([kind, child]) => getObject(kc, kind, namespace, child).then(withKind(kind))),
    ),
  ]);
  return {
    vmcp,
    ...(Object.fromEntries(RELATED_FIELDS.map((field, i) => [field, related[i]])) as RelatedObjects),
    children: parseAll(KubeObject, children.filter(Boolean)),
  };
}

function indexBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = index.get(k);
    if (list) list.push(item);
    else index.set(k, [item]);
  }
  return index;
}

type Meta = { metadata: { namespace?: string; name: string } };

/** The objects of a field the resync reads by name: a GET of each name the VirtualMCPServers reference. */
async function readNamed(kc: KubeConfig, field: RelatedField, vmcps: readonly VirtualMCPServer[]) {
  const [kind] = RELATED[field].kinds;
  const keys = new Set(
    vmcps.flatMap((vmcp) =>
      (namesSelected(field, vmcp) ?? []).map((name) => JSON.stringify([vmcp.metadata.namespace ?? "", name])),
    ),
  );
  if (!kind) return [];
  const found = await Promise.all(
    [...keys].map((key) => {
      const [ns, name] = JSON.parse(key) as [string, string];
      return getObject(kc, kind, ns, name).then(withKind(kind));
    }),
  );
  return found.filter(Boolean);
}

/**
 * Snapshots of every VirtualMCPServer (in one namespace, or all), from one paginated LIST per type, and a
 * GET per referenced name for the kinds not worth listing (listedByResync).
 */
export async function readAllSnapshots(
  kc: KubeConfig,
  namespace?: string,
  /** Whose references are read: another controller's objects need only their children (to be left). */
  controls: (vmcp: VirtualMCPServer) => boolean = () => true,
): Promise<Snapshot[]> {
  const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const listed = RELATED_FIELDS.map((field) =>
    listedByResync(field)
      ? Promise.all(RELATED[field].kinds.map((kind) => listObjects(kc, kind, { namespace })))
      : undefined,
  );
  const [vmcps, children, ...lists] = await Promise.all([
    listObjects(kc, "VirtualMCPServer", { namespace }),
    Promise.all(CHILD_KINDS.map((kind) => listObjects(kc, kind, { namespace, labelSelector: managed }))),
    ...listed,
  ]);
  const parsedVmcps = parseAll(VirtualMCPServer, vmcps);
  const related = await Promise.all(
    RELATED_FIELDS.map((field, i) =>
      listedByResync(field) ? lists[i] : readNamed(kc, field, parsedVmcps.filter(controls)),
    ),
  );
  // Indexed once, so each object's snapshot costs lookups, not scans of every list: reference fields by
  // namespace and name, namespace fields by namespace.
  const indexes = RELATED_FIELDS.map((field, i) => {
    const objects = parseAll(RELATED[field].schema, (related[i] ?? []).flat()) as Meta[];
    return RELATED[field].select.by === "namespace"
      ? indexBy(objects, (o) => o.metadata.namespace ?? "")
      : indexBy(objects, (o) => `${o.metadata.namespace}/${o.metadata.name}`);
  });
  const childrenByKey = new Map(
    parseAll(KubeObject, children.flat()).map((c) => [
      `${c.metadata.namespace}/${c.kind}/${c.metadata.name}`,
      c,
    ]),
  );
  return parsedVmcps.map((vmcp) => {
    const ns = vmcp.metadata.namespace ?? "";
    const relatedObjects = Object.fromEntries(
      RELATED_FIELDS.map((field, i) => {
        const names = namesSelected(field, vmcp);
        if (names === undefined) return [field, indexes[i]?.get(ns) ?? []];
        const found = names.flatMap((name) => indexes[i]?.get(`${ns}/${name}`) ?? []);
        return [field, RELATED[field].select.by === "name" ? found[0] : found];
      }),
    ) as unknown as RelatedObjects;
    return {
      vmcp,
      ...relatedObjects,
      children: childKeys(vmcp.metadata.name).flatMap(
        ([kind, child]) => childrenByKey.get(`${ns}/${kind}/${child}`) ?? [],
      ),
    };
  });
}
