// Change hints and reconcile requests: their schemas, which VirtualMCPServers a hint reaches, the label
// selector that narrows the listing, FIFO deduplication ids, and whether a snapshot predates the hint.
import { describe, expect, it } from "vitest";
import {
  type ChangeHint,
  ChangeHint as ChangeHintSchema,
  deduplicationId,
  expandHint,
  predatesHint,
  ReconcileRequest,
  selectorFor,
} from "../../../functions/core/delivery/change-hint.ts";
import type { KubeObject } from "../../../functions/core/kinds/kubernetes.ts";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import { server, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import {
  cedarAuthzJson,
  configMap,
  headerInjection,
  mcpExternalAuthConfig,
} from "../../../infra/local/test-kit/toolhive-objects.ts";

const hint = (fields: Partial<ChangeHint> = {}): ChangeHint => ({
  kind: "VirtualMCPServer",
  namespace: "tools",
  name: "team",
  uid: "uid-1",
  operation: "UPDATE",
  oldResourceVersion: "100",
  groups: [],
  ...fields,
});

/** A VirtualMCPServer in namespace tools named `name`, aggregating `spec`'s group. */
const named = (name: string, spec: Partial<VirtualMCPServer["spec"]>): VirtualMCPServer => {
  const object = vmcp(spec);
  return { ...object, metadata: { ...object.metadata, name, uid: `uid-${name}` } };
};

const withRv = (object: VirtualMCPServer, resourceVersion: string): VirtualMCPServer => ({
  ...object,
  metadata: { ...object.metadata, resourceVersion },
});

describe("the ChangeHint and ReconcileRequest schemas", () => {
  it("accept a well-formed hint and default its groups to none", () => {
    const parsed = ChangeHintSchema.parse({
      kind: "MCPServer",
      namespace: "tools",
      name: "github",
      uid: "8f1c",
      operation: "CREATE",
    });
    expect(parsed).toEqual({
      kind: "MCPServer",
      namespace: "tools",
      name: "github",
      uid: "8f1c",
      operation: "CREATE",
      groups: [],
    });
    const request = ReconcileRequest.parse({
      namespace: "tools",
      name: "team",
      trigger: "hint",
      cause: parsed,
    });
    expect(request.cause?.groups).toEqual([]);
  });

  it("refuse an unknown kind, an empty namespace or name, and an operation other than a write", () => {
    const wellFormed = { kind: "MCPGroup", namespace: "tools", name: "g", uid: "u", operation: "UPDATE" };
    expect(ChangeHintSchema.safeParse(wellFormed).success).toBe(true);
    const refused = (fields: Record<string, unknown>) => {
      const parsed = ChangeHintSchema.safeParse({ ...wellFormed, ...fields });
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join("."));
    };
    expect(refused({ kind: "Secret" })).toEqual(["kind"]);
    expect(refused({ namespace: "" })).toEqual(["namespace"]);
    expect(refused({ name: "" })).toEqual(["name"]);
    expect(refused({ operation: "CONNECT" })).toEqual(["operation"]);
    expect(refused({ operation: "PATCH" })).toEqual(["operation"]);
    const request = ReconcileRequest.safeParse({ namespace: "tools", name: "", trigger: "hint" });
    expect(request.success).toBe(false);
    expect(ReconcileRequest.safeParse({ namespace: "tools", name: "t", trigger: "later" }).success).toBe(
      false,
    );
  });
});

describe("expandHint", () => {
  const vmcps = [
    named("zeta", { groupRef: { name: "a" } }),
    named("alpha", { groupRef: { name: "b" } }),
    named("legacy", { groupRef: undefined, config: { groupRef: "a" } }),
    named("other", { groupRef: { name: "c" } }),
    named("groupless", { groupRef: undefined }),
  ];
  const names = (requests: ReconcileRequest[]) => requests.map((r) => r.name);

  it("turns a VirtualMCPServer hint into a request for that object alone, without the list", () => {
    const cause = hint({ name: "solo" });
    expect(expandHint(cause, vmcps)).toEqual([{ namespace: "tools", name: "solo", trigger: "hint", cause }]);
    expect(expandHint(cause, [])).toEqual([{ namespace: "tools", name: "solo", trigger: "hint", cause }]);
  });

  it("turns a Deployment hint into the VirtualMCPServer of the same name", () => {
    const cause = hint({ kind: "Deployment", name: "alpha", oldResourceVersion: "7" });
    expect(expandHint(cause, [])).toEqual([{ namespace: "tools", name: "alpha", trigger: "hint", cause }]);
  });

  it("reaches, for an MCPGroup, the VirtualMCPServers of that group by either groupRef spelling", () => {
    const cause = hint({ kind: "MCPGroup", name: "a" });
    const requests = expandHint(cause, vmcps);
    expect(names(requests)).toEqual(["legacy", "zeta"]);
    for (const request of requests) expect(request).toMatchObject({ trigger: "hint", cause });
    expect(expandHint(hint({ kind: "MCPGroup", name: "nobody" }), vmcps)).toEqual([]);
  });

  it("reaches, for a member moved from group a to b, the VirtualMCPServers of a or b and none else", () => {
    for (const kind of ["MCPServer", "MCPRemoteProxy", "MCPServerEntry"] as const) {
      const cause = hint({ kind, name: "github", groups: ["a", "b"] });
      expect(names(expandHint(cause, vmcps))).toEqual(["alpha", "legacy", "zeta"]);
    }
    expect(names(expandHint(hint({ kind: "MCPServer", name: "github", groups: ["c"] }), vmcps))).toEqual([
      "other",
    ]);
    expect(expandHint(hint({ kind: "MCPServer", name: "github", groups: [] }), vmcps)).toEqual([]);
  });

  it("reaches, for a ConfigMap, the VirtualMCPServers that name it for authorization, and none for a child's", () => {
    const authz = (name: string) => ({
      type: "anonymous",
      authzConfig: { type: "configMap", configMap: { name, key: "authz.json" } },
    });
    const readers = [
      named("reader", { incomingAuth: authz("policies") }),
      named("other", { incomingAuth: authz("elsewhere") }),
      named("team", {}),
    ];
    expect(names(expandHint(hint({ kind: "ConfigMap", name: "policies" }), readers))).toEqual(["reader"]);
    // The functions' own child of "team" is no reference: a hint for it reaches nobody.
    expect(expandHint(hint({ kind: "ConfigMap", name: "team-vmcp-config" }), readers)).toEqual([]);
    expect(
      names(
        expandHint(hint({ kind: "MCPAuthzConfig", name: "shared" }), [
          named("ref", { incomingAuth: { type: "anonymous", authzConfigRef: { name: "shared" } } }),
          ...readers,
        ]),
      ),
    ).toEqual(["ref"]);
  });

  it("reaches every VirtualMCPServer given for an MCPExternalAuthConfig, sorted by name", () => {
    const requests = expandHint(hint({ kind: "MCPExternalAuthConfig", name: "gh-token" }), vmcps);
    expect(names(requests)).toEqual(["alpha", "groupless", "legacy", "other", "zeta"]);
  });
});

describe("selectorFor", () => {
  it("selects an MCPGroup's VirtualMCPServers by the group label", () => {
    expect(selectorFor(hint({ kind: "MCPGroup", name: "team-a" }))).toBe(
      "toolhive.stacklok.dev/group=team-a",
    );
  });

  it("selects a member's groups with a set expression, sorted and without repeats", () => {
    const member = hint({ kind: "MCPRemoteProxy", name: "p", groups: ["b", "a", "b"] });
    expect(selectorFor(member)).toBe("toolhive.stacklok.dev/group in (a,b)");
  });

  it("has no selector for a member without groups, an auth config or a direct hint", () => {
    expect(selectorFor(hint({ kind: "MCPServer", groups: [] }))).toBeUndefined();
    expect(selectorFor(hint({ kind: "MCPExternalAuthConfig", groups: ["a"] }))).toBeUndefined();
    expect(selectorFor(hint({ kind: "VirtualMCPServer" }))).toBeUndefined();
  });
});

describe("deduplicationId", () => {
  const request = (cause: ChangeHint, name = "team"): ReconcileRequest => ({
    namespace: "tools",
    name,
    trigger: "hint",
    cause,
  });
  const base = request(hint());

  it("is the same 64 hex characters for the same write announced twice", () => {
    const id = deduplicationId(base);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationId(request(hint()))).toBe(id);
  });

  it("differs when the old resourceVersion, uid, operation or target differ", () => {
    const id = deduplicationId(base);
    const others = [
      request(hint({ oldResourceVersion: "101" })),
      request(hint({ uid: "uid-2" })),
      request(hint({ operation: "DELETE" })),
      request(hint(), "other"),
      { ...base, namespace: "elsewhere" },
    ].map((r) => deduplicationId(r));
    expect(new Set([id, ...others]).size).toBe(6);
  });

  it("collapses every hint for one target in one window, whatever the writes, and only those", () => {
    const at = 1_795_490_000_000; // the start of a window
    const storm = [
      request(hint({ at })),
      request(hint({ at: at + 499, oldResourceVersion: "101" })),
      request(hint({ at: at + 250, kind: "MCPServer", name: "github", uid: "srv" })),
    ].map((r) => deduplicationId(r));
    expect(new Set(storm).size).toBe(1);
    expect(deduplicationId(request(hint({ at: at + 500 })))).not.toBe(storm[0]);
    expect(deduplicationId(request(hint({ at }), "other"))).not.toBe(storm[0]);
    expect(deduplicationId(request(hint()))).not.toBe(storm[0]);
  });

  it("tells resyncs apart by their time, and from hinted requests", () => {
    const resync: ReconcileRequest = { namespace: "tools", name: "team", trigger: "resync" };
    const first = deduplicationId(resync, "2026-11-24T10:00:00.000Z");
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationId(resync, "2026-11-24T10:00:00.000Z")).toBe(first);
    expect(deduplicationId(resync, "2026-11-24T10:05:00.000Z")).not.toBe(first);
    expect(first).not.toBe(deduplicationId(base));
  });
});

describe("predatesHint", () => {
  const deployment = (resourceVersion: string): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "team", namespace: "tools", resourceVersion },
  });
  const rv = <T extends { metadata: object }>(object: T, resourceVersion: string): T => ({
    ...object,
    metadata: { ...object.metadata, resourceVersion },
  });

  it("without a snapshot, holds only for a VirtualMCPServer CREATE", () => {
    expect(predatesHint(undefined, hint({ operation: "CREATE", oldResourceVersion: undefined }))).toBe(true);
    expect(predatesHint(undefined, hint({ operation: "UPDATE" }))).toBe(false);
    expect(predatesHint(undefined, hint({ operation: "DELETE" }))).toBe(false);
    expect(predatesHint(undefined, hint({ kind: "MCPServer", operation: "CREATE" }))).toBe(false);
  });

  it("holds for a VirtualMCPServer UPDATE while the snapshot carries the old resourceVersion", () => {
    const cause = hint({ operation: "UPDATE", oldResourceVersion: "100" });
    expect(predatesHint(snapshot({ vmcp: withRv(vmcp(), "100") }), cause)).toBe(true);
    expect(predatesHint(snapshot({ vmcp: withRv(vmcp(), "101") }), cause)).toBe(false);
  });

  it("holds for an MCPServer CREATE until the server is among the workloads", () => {
    const cause = hint({
      kind: "MCPServer",
      name: "github",
      operation: "CREATE",
      oldResourceVersion: undefined,
    });
    expect(predatesHint(snapshot({ workloads: [server("gitlab")] }), cause)).toBe(true);
    expect(predatesHint(snapshot({ workloads: [server("github")] }), cause)).toBe(false);
  });

  it("does not take an MCPRemoteProxy of the same name for the MCPServer hinted", () => {
    const cause = hint({
      kind: "MCPServer",
      name: "github",
      operation: "CREATE",
      oldResourceVersion: undefined,
    });
    const namesake = { ...server("github"), kind: "MCPRemoteProxy" as const };
    expect(predatesHint(snapshot({ workloads: [namesake] }), cause)).toBe(true);
  });

  it("holds for an MCPServer DELETE while the server is still there with its old resourceVersion", () => {
    const cause = hint({ kind: "MCPServer", name: "github", operation: "DELETE", oldResourceVersion: "40" });
    expect(predatesHint(snapshot({ workloads: [rv(server("github"), "40")] }), cause)).toBe(true);
    expect(predatesHint(snapshot({ workloads: [] }), cause)).toBe(false);
  });

  it("does not hold for an MCPGroup the VirtualMCPServer does not use, even a missing one", () => {
    const create = hint({
      kind: "MCPGroup",
      name: "unrelated",
      operation: "CREATE",
      oldResourceVersion: undefined,
    });
    expect(predatesHint(snapshot({ group: undefined }), create)).toBe(false);
    const own = hint({
      kind: "MCPGroup",
      name: "team-group",
      operation: "CREATE",
      oldResourceVersion: undefined,
    });
    expect(predatesHint(snapshot({ group: undefined }), own)).toBe(true);
    expect(predatesHint(snapshot(), own)).toBe(false);
  });

  it("holds for an MCPExternalAuthConfig UPDATE until its resourceVersion moves", () => {
    const cause = hint({ kind: "MCPExternalAuthConfig", name: "gh-token", oldResourceVersion: "9" });
    expect(
      predatesHint(
        snapshot({ authConfigs: [rv(mcpExternalAuthConfig("gh-token", { spec: headerInjection() }), "9")] }),
        cause,
      ),
    ).toBe(true);
    expect(
      predatesHint(
        snapshot({ authConfigs: [rv(mcpExternalAuthConfig("gh-token", { spec: headerInjection() }), "10")] }),
        cause,
      ),
    ).toBe(false);
    expect(predatesHint(snapshot({ authConfigs: [] }), cause)).toBe(false);
  });

  it("holds for an authorization ConfigMap UPDATE until its resourceVersion moves, never for the child ConfigMap", () => {
    const reader = vmcp({
      incomingAuth: {
        type: "anonymous",
        authzConfig: { type: "configMap", configMap: { name: "policies" } },
      },
    });
    const policies = configMap("policies", {
      "authz.json": cedarAuthzJson(["permit(principal, action, resource);"]),
    });
    const cause = hint({ kind: "ConfigMap", name: "policies", oldResourceVersion: "9" });
    expect(predatesHint(snapshot({ vmcp: reader, authzConfigMaps: [rv(policies, "9")] }), cause)).toBe(true);
    expect(predatesHint(snapshot({ vmcp: reader, authzConfigMaps: [rv(policies, "10")] }), cause)).toBe(
      false,
    );
    // The child ConfigMap at the hinted version is not what the hint is about: it names no reference.
    const child: KubeObject = {
      kind: "ConfigMap",
      metadata: { name: "team-vmcp-config", resourceVersion: "9" },
    };
    const childHint = hint({ kind: "ConfigMap", name: "team-vmcp-config", oldResourceVersion: "9" });
    expect(predatesHint(snapshot({ vmcp: reader, children: [child] }), childHint)).toBe(false);
  });

  it("holds for a Deployment status UPDATE while the child Deployment has the old resourceVersion", () => {
    const cause = hint({ kind: "Deployment", name: "team", oldResourceVersion: "55" });
    expect(predatesHint(snapshot({ children: [deployment("55")] }), cause)).toBe(true);
    expect(predatesHint(snapshot({ children: [deployment("56")] }), cause)).toBe(false);
    const service: KubeObject = { kind: "Service", metadata: { name: "team", resourceVersion: "55" } };
    expect(predatesHint(snapshot({ children: [service] }), cause)).toBe(false);
  });
});
