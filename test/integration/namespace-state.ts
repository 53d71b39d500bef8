// What a namespace holds of ours, comparable with another namespace's: the fault tests check that a run
// through faults ends exactly where a fault-free run in a twin namespace does.
import type { KubeConfig } from "@kubernetes/client-node";
import { CHILD_KINDS } from "../../functions/core/reconcile/related-kinds.ts";
import { listObjects } from "../../functions/kube/api.ts";

const KINDS = ["VirtualMCPServer", ...CHILD_KINDS] as const;
// Set by the API server, or hashes of content that names the namespace (that content is compared itself).
const VOLATILE = /^(uid|resourceVersion|creationTimestamp|managedFields|clusterIPs?|.*checksum|.*\/applied)$/;
// The API server's own objects in every namespace.
const ITS_OWN = new Set(["kube-root-ca.crt", "default"]);

/** Every VirtualMCPServer and child in `namespace` by kind and name, with the namespace's name as "NS". */
export async function namespaceState(kc: KubeConfig, namespace: string): Promise<Record<string, unknown>> {
  const listed = await Promise.all(KINDS.map((kind) => listObjects(kc, kind, { namespace })));
  const byKind = KINDS.map((kind, i) => [
    kind,
    Object.fromEntries(
      (listed[i] as { metadata: { name: string } }[])
        .filter((o) => !ITS_OWN.has(o.metadata.name))
        .map((o) => [o.metadata.name, o]),
    ),
  ]);
  const text = JSON.stringify(Object.fromEntries(byKind), (key, value) =>
    VOLATILE.test(key) ? undefined : value,
  );
  return JSON.parse(text.replaceAll(namespace, "NS"));
}
