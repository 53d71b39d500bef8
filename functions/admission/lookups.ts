// The validating webhook's questions to the API server: does the group exist (and how many members has
// it), do the referenced auth configs exist. One short-timeout request each, answered as Found values.
import type { KubeConfig } from "@kubernetes/client-node";
import type { AdmissionRequest } from "../core/admission-review.ts";
import { type Found, type Lookups, referencesOf } from "../core/admission-validate.ts";
import { Workload, workloadGroup } from "../core/toolhive.ts";
import { ApiError, getObject, listObjects } from "../kube/api.ts";
import type { Kind } from "../kube/resources.ts";

// Well inside the webhook timeout, so a slow API server gets our message, not a generic webhook timeout.
const LOOKUP_TIMEOUT_MS = 2_000;

async function exists(kc: KubeConfig, kind: Kind, namespace: string, name: string): Promise<Found> {
  try {
    return (await getObject(kc, kind, namespace, name, LOOKUP_TIMEOUT_MS)) ? "found" : "missing";
  } catch (error) {
    return {
      error: error instanceof ApiError ? `HTTP ${error.code} ${error.reason}` : (error as Error).message,
    };
  }
}

async function memberCount(kc: KubeConfig, namespace: string, group: string): Promise<number | undefined> {
  try {
    const lists = await Promise.all(
      (["MCPServer", "MCPRemoteProxy"] as const).map((kind) =>
        listObjects(kc, kind, { namespace, timeoutMs: LOOKUP_TIMEOUT_MS }),
      ),
    );
    return lists.flat().filter((item) => {
      const parsed = Workload.safeParse(item);
      return parsed.success && workloadGroup(parsed.data) === group;
    }).length;
  } catch {
    return undefined; // Only feeds a warning.
  }
}

export async function lookUp(kc: KubeConfig, request: AdmissionRequest): Promise<Lookups> {
  const refs = referencesOf(request);
  const namespace = request.namespace ?? "";
  const entries = [...refs.authConfigs];
  const [group, members, ...found] = await Promise.all([
    refs.group ? exists(kc, "MCPGroup", namespace, refs.group) : undefined,
    refs.group && refs.countMembers ? memberCount(kc, namespace, refs.group) : undefined,

    ...entries.map(([, name]) => exists(kc, "MCPExternalAuthConfig", namespace, name)),
  ]);
  return {
    ...(group ? { group: group as Found } : {}),
    ...(members === undefined ? {} : { members: members as number }),
    authConfigs: new Map(entries.map(([path], i) => [path, found[i] as Found])),
  };
}
