// The validating webhook's questions to the API server: does the group exist (and how many members has
// it), do the referenced auth configs exist. One short-timeout request each, answered as Found values.
import type { KubeConfig } from "@kubernetes/client-node";
import type { AdmissionRequest } from "../core/admission/review.ts";
import { type Found, type Looked, type Lookups, referencesOf } from "../core/admission/validate.ts";
import type { Kind } from "../core/kinds/resources.ts";
import { ExternalAuthConfig, MEMBER_KINDS, Workload, workloadGroup } from "../core/kinds/toolhive.ts";
import { REFERENCE_FIELDS, REFERENCES } from "../core/references/references.ts";
import { ApiError, getObject, listObjects } from "../kube/api.ts";

// Well inside the webhook timeout, so a slow API server gets our message, not a generic webhook timeout.
const LOOKUP_TIMEOUT_MS = 2_000;

async function fetched(kc: KubeConfig, kind: Kind, namespace: string, name: string) {
  try {
    const object = await getObject(kc, kind, namespace, name, LOOKUP_TIMEOUT_MS);
    return { found: (object ? "found" : "missing") as Found, object };
  } catch (error) {
    const message =
      error instanceof ApiError ? `HTTP ${error.code} ${error.reason}` : (error as Error).message;
    return { found: { error: message } as Found, object: undefined };
  }
}

async function memberCount(kc: KubeConfig, namespace: string, group: string): Promise<number | undefined> {
  try {
    const lists = await Promise.all(
      MEMBER_KINDS.map((kind) => listObjects(kc, kind, { namespace, timeoutMs: LOOKUP_TIMEOUT_MS })),
    );
    return lists.flat().filter((item) => {
      const parsed = Workload.safeParse(item);
      return parsed.success && workloadGroup(parsed.data) === group;
    }).length;
  } catch {
    return undefined; // Only feeds a warning.
  }
}

/** The fence's one question: the VirtualMCPServer that owns what ToolHive's operator writes (undefined: gone). */
export async function lookUpOwner(kc: KubeConfig, namespace: string, name: string): Promise<unknown> {
  return getObject(kc, "VirtualMCPServer", namespace, name, LOOKUP_TIMEOUT_MS);
}

export async function lookUp(kc: KubeConfig, request: AdmissionRequest): Promise<Lookups> {
  const refs = referencesOf(request);
  const namespace = request.namespace ?? "";
  const entries = [...refs.authConfigs];
  const [group, members, configs, referenced] = await Promise.all([
    refs.group ? fetched(kc, "MCPGroup", namespace, refs.group) : undefined,
    refs.group && refs.countMembers ? memberCount(kc, namespace, refs.group) : undefined,
    Promise.all(entries.map(([, name]) => fetched(kc, "MCPExternalAuthConfig", namespace, name))),
    Promise.all(
      REFERENCE_FIELDS.map(async (field) => {
        const names = refs.referenced[field];
        const looked = await Promise.all(
          names.map((name) => fetched(kc, REFERENCES[field].kind, namespace, name)),
        );
        return [field, new Map(names.map((name, i) => [name, looked[i] as Looked]))] as const;
      }),
    ),
  ]);
  const parsed = configs.map((c) => ExternalAuthConfig.safeParse(c.object));
  return {
    ...(group ? { group: group.found } : {}),
    ...(members === undefined ? {} : { members }),
    authConfigs: new Map(entries.map(([path], i) => [path, configs[i]?.found as Found])),
    referenced: Object.fromEntries(referenced),
    // Their type decides whether the runtime can use them as a backend strategy at all.
    authConfigObjects: new Map(
      entries.flatMap(([path], i) => {
        const p = parsed[i];
        return p?.success ? [[path, p.data] as const] : [];
      }),
    ),
  };
}
