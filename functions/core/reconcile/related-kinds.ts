// What a VirtualMCPServer's reconcile depends on besides the object itself, declared once: each related
// kind, which of its objects one reconcile reads, where they land in the snapshot, and which
// VirtualMCPServers a change to one of them affects. The snapshot reads (one object's and the resync's),
// the router's expansion of a change hint, the hinted kinds, the stale-read check and the test builders all
// follow this table. A kind the spec references by name is declared in core/references (its resolver
// beside it) and comes in here with all the others of its table (REFERENCED); adding one is said there.
// The children the functions create have their own table (CHILDREN).
import type { z } from "zod";
import type { KubeObject } from "../kinds/kubernetes.ts";
import { childNames, GROUP_LABEL } from "../kinds/names.ts";
import type { Kind } from "../kinds/resources.ts";
import {
  ExternalAuthConfig,
  groupOf,
  MCPGroup,
  MEMBER_KINDS,
  type VirtualMCPServer,
  Workload,
  workloadGroup,
} from "../kinds/toolhive.ts";
import type { Ref, Reference } from "../references/reference.ts";
import { REFERENCE_FIELDS, REFERENCES, type ReferenceField } from "../references/references.ts";

/** A change to a related object, as the router knows it (from a change hint). */
export interface RelatedChange {
  readonly name: string;
  /** For group members: the groups the object named before and after the change. */
  readonly groups: readonly string[];
}

type Selection =
  /** The one object a reference names (a GET; the field holds it or undefined). */
  | { readonly by: "name"; readonly name: (vmcp: VirtualMCPServer) => string | undefined }
  /** The objects the spec's references name (core/references: a GET each; the field holds those found). */
  | {
      readonly by: "refs";
      readonly refs: (vmcp: VirtualMCPServer) => readonly Ref[];
      /** How the resync reads them: one LIST of the kind, or a GET of each name referenced (Reference). */
      readonly resyncReads: "list" | "names";
    }
  /** Every object of the namespace (a LIST; the plan picks, e.g. members by group). */
  | { readonly by: "namespace" };

interface Related<K extends Kind, S extends z.ZodType, Select extends Selection> {
  /** The kinds that land in this snapshot field (members come in three kinds, parsed by one schema). */
  readonly kinds: readonly K[];
  readonly schema: S;
  /** Which of a namespace's objects one reconcile reads. */
  readonly select: Select;
  /**
   * Whether a change to one of these objects affects the VirtualMCPServer (the router's expansion). By
   * default, for kinds selected by name: whether the VirtualMCPServer names the changed object.
   */
  readonly affects?: (change: RelatedChange, vmcp: VirtualMCPServer) => boolean;
  /** The label selector that narrows the namespace's VirtualMCPServers to those affected, where one can. */
  readonly selector?: (change: RelatedChange) => string | undefined;
  /** The groups an object of this kind belongs to, for its change hint (members only). */
  readonly groupsOf?: (object: z.infer<S>) => readonly (string | undefined)[];
}

/** An entry of the table, its literal kinds and selection kept for the snapshot's type. */
const related = <K extends Kind, S extends z.ZodType, Select extends Selection>(
  entry: Related<K, S, Select>,
): Related<K, S, Select> => entry;

const inGroupOf = (vmcp: VirtualMCPServer, groups: readonly string[]) => {
  const group = groupOf(vmcp);
  return group !== undefined && groups.includes(group);
};

type RefsSelection = Extract<Selection, { by: "refs" }>;
type References = typeof REFERENCES;

/** A referenced kind (core/references) as a snapshot field: the objects its references name. */
const referenced = <K extends Kind, S extends z.ZodType>(entry: Reference<K, S>) =>
  related({
    kinds: [entry.kind],
    schema: entry.schema,
    select: { by: "refs" as const, refs: entry.refs, resyncReads: entry.resyncReads ?? "list" },
  });

/**
 * Every kind the spec references by name, one field each, named as in REFERENCES. ConfigMap is among them
 * (authorization ConfigMaps) and a child kind too (CHILDREN: <name>-vmcp-config); the two never meet:
 * children are read by their own names and listed by the managed-by label, this field by the names the
 * spec references, and a ConfigMap's change hint is routed here by name.
 */
const REFERENCED = Object.fromEntries(
  REFERENCE_FIELDS.map((field) => [field, referenced(REFERENCES[field] as Reference)]),
) as {
  readonly [F in ReferenceField]: Related<References[F]["kind"], References[F]["schema"], RefsSelection>;
};

export const RELATED = {
  group: related({
    kinds: ["MCPGroup"],
    schema: MCPGroup,
    select: { by: "name", name: groupOf },
    selector: (change) => `${GROUP_LABEL}=${change.name}`,
  }),
  /**
   * MCPServers, MCPRemoteProxies and MCPServerEntries of the namespace: members are picked by either
   * groupRef spelling.
   */
  workloads: related({
    kinds: MEMBER_KINDS,
    schema: Workload,
    select: { by: "namespace" },
    affects: (change, vmcp) => inGroupOf(vmcp, change.groups),
    selector: (change) =>
      change.groups.length > 0
        ? `${GROUP_LABEL} in (${[...new Set(change.groups)].sort().join(",")})`
        : undefined,
    groupsOf: (workload) => [workloadGroup(workload)],
  }),
  /** Referenced by the spec's outgoing auth directly, or through the members' auth. */
  authConfigs: related({
    kinds: ["MCPExternalAuthConfig"],
    schema: ExternalAuthConfig,
    select: { by: "namespace" },
    affects: () => true,
  }),
  ...REFERENCED,
};

export type RelatedField = keyof typeof RELATED;
type Parsed<F extends RelatedField> = z.infer<(typeof RELATED)[F]["schema"]>;

/** The related objects of one VirtualMCPServer, as the snapshot holds them. */
export type RelatedObjects = {
  readonly [F in RelatedField]: (typeof RELATED)[F]["select"]["by"] extends "name"
    ? Parsed<F> | undefined
    : readonly Parsed<F>[];
};

export const RELATED_FIELDS = Object.keys(RELATED) as RelatedField[];

/** Whether the resync LISTs the kind of a field (otherwise it GETs the names referenced). */
export const listedByResync = (field: RelatedField): boolean => {
  const select = RELATED[field].select as Selection;
  return select.by !== "refs" || select.resyncReads === "list";
};

/** Every related kind, with the snapshot field it lands in. */
export const RELATED_KINDS: readonly { kind: Kind; field: RelatedField }[] = RELATED_FIELDS.flatMap((field) =>
  RELATED[field].kinds.map((kind) => ({ kind, field })),
);

export const relatedFieldOf = (kind: string): RelatedField | undefined =>
  RELATED_KINDS.find((related) => related.kind === kind)?.field;

/** The names of the objects a VirtualMCPServer references, or undefined when its field takes the namespace's. */
export function namesSelected(field: RelatedField, vmcp: VirtualMCPServer): readonly string[] | undefined {
  const select = RELATED[field].select as Selection;
  if (select.by === "namespace") return undefined;
  if (select.by === "refs") return [...new Set(select.refs(vmcp).map((ref) => ref.name))];
  const name = select.name(vmcp);
  return name === undefined ? [] : [name];
}

/** Whether a change to an object of a related field affects a VirtualMCPServer (see Related.affects). */
export function affectedBy(field: RelatedField, change: RelatedChange, vmcp: VirtualMCPServer): boolean {
  const { affects } = RELATED[field] as Related<Kind, z.ZodType, Selection>;
  return affects ? affects(change, vmcp) : (namesSelected(field, vmcp) ?? []).includes(change.name);
}

/** A snapshot's related objects with none found: every field empty, for builders of snapshots. */
export const noRelatedObjects = (): RelatedObjects =>
  Object.fromEntries(
    RELATED_FIELDS.map((field) => [field, RELATED[field].select.by === "name" ? undefined : []]),
  ) as unknown as RelatedObjects;

/** The groups an object of a related kind names (members; read leniently), for its change hint. */
export function groupsNamedBy(kind: string, object: unknown): string[] {
  const field = relatedFieldOf(kind);
  const entry = field ? (RELATED[field] as Related<Kind, z.ZodType, Selection>) : undefined;
  if (!entry?.groupsOf || !object) return [];
  const parsed = entry.schema.safeParse({ ...(object as object), kind });
  return parsed.success ? entry.groupsOf(parsed.data).filter((g): g is string => Boolean(g)) : [];
}

/** The related objects of a snapshot of one kind (a named object, or a list's members). */
export function relatedObjectsOf(
  related: RelatedObjects,
  kind: string,
): readonly { kind?: string; metadata: { name: string; resourceVersion?: string } }[] {
  const field = relatedFieldOf(kind);
  if (!field) return [];
  const value = related[field] as unknown;
  const objects = (Array.isArray(value) ? value : value === undefined ? [] : [value]) as (KubeObject & {
    metadata: { name: string };
  })[];
  return RELATED[field].kinds.length > 1 ? objects.filter((object) => object.kind === kind) : objects;
}

/**
 * The children the functions create for a VirtualMCPServer, by kind, with the names they carry (a kind
 * may have more than one child: the runtime's own RoleBinding and its discovery binding). Snapshot reads,
 * the resync's label-selected LISTs and the functions' RBAC follow this table.
 */
export const CHILDREN = {
  ServiceAccount: ["serviceAccount"],
  Role: ["role"],
  RoleBinding: ["roleBinding", "discoveryBinding"],
  ConfigMap: ["configMap"],
  Deployment: ["deployment"],
  Service: ["service"],
} as const satisfies Partial<Record<Kind, readonly (keyof ReturnType<typeof childNames>)[]>>;

export type ChildKind = keyof typeof CHILDREN;
export const CHILD_KINDS = Object.keys(CHILDREN) as ChildKind[];

/** Every child of one VirtualMCPServer as [kind, name]. */
export function childKeys(name: string): (readonly [ChildKind, string])[] {
  const names = childNames(name);
  return CHILD_KINDS.flatMap((kind) => CHILDREN[kind].map((key) => [kind, names[key]] as const));
}
