// Reads what one reconcile needs, each resource type at most once, or what a resync needs, each type
// listed once for all objects. Objects that do not parse are left out with a note, never fatal.
import type { KubeConfig } from "@kubernetes/client-node";
import type { z } from "zod";
import { KubeObject } from "../core/kinds/kubernetes.ts";
import { childNames, MANAGED_BY, MANAGED_BY_LABEL } from "../core/kinds/names.ts";
import type { Kind } from "../core/kinds/resources.ts";
import { ExternalAuthConfig, groupOf, MCPGroup, VirtualMCPServer, Workload } from "../core/kinds/toolhive.ts";
import type { Snapshot } from "../core/reconcile/plan.ts";
import { getObject, listObjects } from "./api.ts";

export const CHILD_KINDS = [
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Deployment",
  "Service",
] as const;
type ChildName = keyof ReturnType<typeof childNames>;
const CHILD_NAMES: Record<(typeof CHILD_KINDS)[number], ChildName[]> = {
  ServiceAccount: ["serviceAccount"],
  Role: ["role"],
  RoleBinding: ["roleBinding", "discoveryBinding"],
  ConfigMap: ["configMap"],
  Deployment: ["deployment"],
  Service: ["service"],
};
/** Every child as [kind, name], for one VirtualMCPServer. */
const childKeys = (name: string) => {
  const names = childNames(name);
  return CHILD_KINDS.flatMap((kind) => CHILD_NAMES[kind].map((key) => [kind, names[key]] as const));
};

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

/** The snapshot of one VirtualMCPServer, or undefined when it does not exist (or cannot be read as one). */
export async function readSnapshot(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<Snapshot | undefined> {
  const vmcp = await readVirtualMCPServer(kc, namespace, name);
  if (!vmcp) return undefined;
  const group = groupOf(vmcp);
  const [groupObject, servers, proxies, authConfigs, ...children] = await Promise.all([
    group ? getObject(kc, "MCPGroup", namespace, group) : undefined,
    listObjects(kc, "MCPServer", { namespace }),
    listObjects(kc, "MCPRemoteProxy", { namespace }),
    listObjects(kc, "MCPExternalAuthConfig", { namespace }),
    ...childKeys(name).map(([kind, child]) => getObject(kc, kind, namespace, child).then(withKind(kind))),
  ]);
  return {
    vmcp,
    group: groupObject ? MCPGroup.parse(groupObject) : undefined,
    workloads: parseAll(Workload, [...servers, ...proxies]),
    authConfigs: parseAll(ExternalAuthConfig, authConfigs),
    children: parseAll(KubeObject, children.filter(Boolean)),
  };
}

function byNamespace<T extends { metadata: { namespace?: string } }>(items: T[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const item of items) {
    const ns = item.metadata.namespace ?? "";
    const list = index.get(ns);
    if (list) list.push(item);
    else index.set(ns, [item]);
  }
  return index;
}

/** Snapshots of every VirtualMCPServer
 (in one namespace, or all), from one paginated LIST per type. */
export async function readAllSnapshots(kc: KubeConfig, namespace?: string): Promise<Snapshot[]> {
  const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const [vmcps, groups, servers, proxies, authConfigs, ...children] = await Promise.all([
    listObjects(kc, "VirtualMCPServer", { namespace }),
    listObjects(kc, "MCPGroup", { namespace }),
    listObjects(kc, "MCPServer", { namespace }),
    listObjects(kc, "MCPRemoteProxy", { namespace }),
    listObjects(kc, "MCPExternalAuthConfig", { namespace }),
    ...CHILD_KINDS.map((kind) => listObjects(kc, kind, { namespace, labelSelector: managed })),
  ]);
  // Indexed once, so each object's snapshot costs lookups, not scans of every list.
  const groupsByKey = new Map(
    parseAll(MCPGroup, groups).map((g) => [`${g.metadata.namespace}/${g.metadata.name}`, g]),
  );
  const workloadsByNamespace = byNamespace(parseAll(Workload, [...servers, ...proxies]));
  const authByNamespace = byNamespace(parseAll(ExternalAuthConfig, authConfigs));
  const childrenByKey = new Map(
    parseAll(KubeObject, children.flat()).map((c) => [
      `${c.metadata.namespace}/${c.kind}/${c.metadata.name}`,
      c,
    ]),
  );
  return parseAll(VirtualMCPServer, vmcps).map((vmcp) => {
    const ns = vmcp.metadata.namespace ?? "";
    return {
      vmcp,
      group: groupsByKey.get(`${ns}/${groupOf(vmcp)}`),
      workloads: workloadsByNamespace.get(ns) ?? [],
      authConfigs: authByNamespace.get(ns) ?? [],
      children: childKeys(vmcp.metadata.name).flatMap(
        ([kind, child]) => childrenByKey.get(`${ns}/${kind}/${child}`) ?? [],
      ),
    };
  });
}
