// Every stored version of one VirtualMCPServer, from a watch, and who wrote each: the field manager whose
// status entry in managedFields changed with it. Enough to find a status field that flips between two
// writers, and to count the writes of one of them.
import { type KubeConfig, Watch } from "@kubernetes/client-node";
import type { ManagedFieldsEntry } from "../../functions/core/kinds/kubernetes.ts";
import { statusPathsOf } from "../../functions/core/reconcile/drift.ts";

type Any = Record<string, any>;

export interface Version {
  readonly resourceVersion: string;
  readonly status: Any;
  readonly writers: string[];
}

const statusEntries = (object: Any): ManagedFieldsEntry[] =>
  ((object.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).filter((e) => e.subresource === "status");
const entryKey = (e: ManagedFieldsEntry) => `${e.manager}/${e.operation}`;

export interface History {
  readonly versions: Version[];
  stop(): void;
}

/** Watches the object from now on; restarts from the last version seen if the API server ends the watch. */
export async function watchHistory(kc: KubeConfig, namespace: string, name: string): Promise<History> {
  const versions: Version[] = [];
  let previous: Map<string, ManagedFieldsEntry> = new Map();
  let lastVersion: string | undefined;
  let stopped = false;
  let request: { abort(): void } | undefined;
  const path = `/apis/toolhive.stacklok.dev/v1beta1/namespaces/${namespace}/virtualmcpservers`;
  const start = async (): Promise<void> => {
    request = await new Watch(kc).watch(
      path,
      { fieldSelector: `metadata.name=${name}`, ...(lastVersion ? { resourceVersion: lastVersion } : {}) },
      (type, object: Any) => {
        if (type !== "ADDED" && type !== "MODIFIED") return;
        const resourceVersion = object.metadata.resourceVersion as string;
        if (versions.some((v) => v.resourceVersion === resourceVersion)) return;
        const all = statusEntries(object);
        const entries = new Map(all.map((e) => [entryKey(e), e]));
        const before = (e: ManagedFieldsEntry) => previous.get(entryKey(e));
        // The writer's entry has a new time; a manager that only lost fields to it changes its fields, not
        // its time. Within one second a manager's time stays: then the one that gained fields wrote, and
        // failing that, whoever wrote last.
        const gained = (e: ManagedFieldsEntry) => {
          const was = before(e);
          return !was || [...statusPathsOf(e)].some((p) => !statusPathsOf(was).has(p));
        };
        const latest = all.reduce((t, e) => ((e.time ?? "") > t ? (e.time ?? "") : t), "");
        const changed =
          versions.length === 0
            ? [] // the first version seen is the baseline, written by no one in this history
            : ([
                all.filter((e) => before(e)?.time !== e.time),
                all.filter(gained),
                all.filter((e) => e.time === latest),
              ].find((found) => found.length > 0) ?? []);
        const writers = [...new Set(changed.map((e) => e.manager ?? ""))];
        previous = entries;
        lastVersion = resourceVersion;
        versions.push({ resourceVersion, status: object.status ?? {}, writers });
      },
      () => {
        if (!stopped) void start().catch(() => setTimeout(() => void start(), 1_000));
      },
    );
  };
  await start();
  return {
    versions,
    stop: () => {
      stopped = true;
      request?.abort();
    },
  };
}

/** The status fields two writers could both hold, by path, each as the value a reader compares. */
export function statusFields(status: Any): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(status)) {
    if (key === "conditions")
      for (const c of value as Any[])
        fields.set(
          `conditions/${c.type}`,
          JSON.stringify([c.status, c.reason, c.message, c.lastTransitionTime]),
        );
    else fields.set(key, JSON.stringify(value));
  }
  return fields;
}

/**
 * Fields whose changes came from one writer, then another, then the first again (or a third): two writers
 * taking a field from each other. A field handed over once (fallback to runtime) is no flip. Only versions
 * with one known writer count.
 */
export function flippingFields(versions: readonly Version[]): Record<string, string[]> {
  const writersOf = new Map<string, string[]>();
  let before = new Map<string, string>();
  for (const [index, version] of versions.entries()) {
    const now = statusFields(version.status);
    if (index === 0) {
      before = now;
      continue;
    }
    // A version whose writer cannot be told (two managers' entries moved) says nothing either way.
    if (version.writers.length !== 1) {
      before = now;
      continue;
    }
    const writer = version.writers[0] ?? "";
    for (const path of new Set([...before.keys(), ...now.keys()])) {
      if (before.get(path) === now.get(path)) continue;
      const list = writersOf.get(path) ?? [];
      if (list.at(-1) !== writer) list.push(writer);
      writersOf.set(path, list);
    }
    before = now;
  }
  return Object.fromEntries([...writersOf].filter(([, writers]) => writers.length >= 3));
}
