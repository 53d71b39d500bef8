// planReconcile when control moves between vmcp-lambda and ToolHive's operator: leaving a VirtualMCPServer
// the operator controls (release patches, nothing applied) and taking over children and status the
// operator wrote (takeover patches, and the children applied even when otherwise in place).
import { describe, expect, it } from "vitest";
import { CONTROLLER_LABEL } from "../../../functions/core/control/controller.ts";
import type { OwnershipOp } from "../../../functions/core/control/handover.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../functions/core/kinds/kubernetes.ts";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import { statusPaths } from "../../../functions/core/reconcile/drift.ts";
import { type Plan, planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { LATER, NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

const IMAGE = "example/vmcp:1";
const APPLIED = "vmcp-lambda.toolhive.stacklok.dev/applied";
const CHILDREN = [
  "ServiceAccount/team-vmcp",
  "Role/team-vmcp",
  "RoleBinding/team-vmcp",
  "RoleBinding/team-vmcp-discovery",
  "ConfigMap/team-vmcp-config",
  "Deployment/team",
  "Service/vmcp-team",
];

const plan = (fields: Parameters<typeof snapshot>[0], controller?: "vmcp-lambda" | "toolhive-operator") =>
  planReconcile(snapshot(fields), { image: IMAGE, runtime: RUNTIME, now: LATER, controller });

const entry = (manager: string, operation: string, fieldsV1: object, subresource?: string) =>
  ({
    manager,
    operation,
    apiVersion: "v1",
    time: NOW,
    fieldsType: "FieldsV1",
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  }) as ManagedFieldsEntry;

/** vmcp-lambda's apply of a child: upstream's labels and its own marks. */
const APPLY = entry("vmcp-lambda", "Apply", {
  "f:metadata": {
    "f:labels": { "f:app": {}, "f:app.kubernetes.io/managed-by": {} },
    "f:annotations": { [`f:${APPLIED}`]: {} },
    "f:ownerReferences": { 'k:{"uid":"uid-1"}': {} },
  },
});
/** ToolHive's operator's update of a child, as it writes children: with upstream's labels, no marks. */
const OPERATORS = entry("thv-operator", "Update", {
  "f:metadata": { "f:labels": { ".": {}, "f:app": {}, "f:toolhive": {} } },
});

/** The team's children as vmcp-lambda applied them (NOW), stored at resourceVersion 100 and on. */
function applied(managedFields: (kind: string) => ManagedFieldsEntry[] = () => [APPLY]): KubeObject[] {
  return plan({}).apply.map((child, i) => ({
    ...child,
    metadata: {
      ...child.metadata,
      resourceVersion: String(100 + i),
      managedFields: managedFields(child.kind),
    },
  })) as unknown as KubeObject[];
}

/** The same children as the operator writes them: no managed-by label, no applied hash, its entry only. */
const operatorsChildren = () =>
  applied(() => [OPERATORS]).map((c) => {
    const { [APPLIED]: _, ...annotations } = c.metadata.annotations ?? {};
    const { "app.kubernetes.io/managed-by": __, ...labels } = c.metadata.labels ?? {};
    return { ...c, metadata: { ...c.metadata, labels, annotations } };
  });

/** The team VirtualMCPServer with the controller label (if any), status and managedFields given. */
function team(
  controller?: string,
  managedFields: ManagedFieldsEntry[] = [],
  status?: VirtualMCPServer["status"],
) {
  const object = vmcp({}, status);
  const labels = controller ? { [CONTROLLER_LABEL]: controller } : undefined;
  return {
    ...object,
    metadata: { ...object.metadata, resourceVersion: "9", managedFields, ...(labels ? { labels } : {}) },
  };
}

/** The managedFields an ownership patch sets, by manager and subresource. */
const managersSet = (patch: readonly OwnershipOp[] | undefined) => {
  const replace = patch?.find((op) => op.op === "replace" && op.path === "/metadata/managedFields");
  return ((replace as { value?: ManagedFieldsEntry[] })?.value ?? []).map(
    (e) => `${e.manager}/${e.subresource ?? ""}`,
  );
};
const named = (p: Plan) => p.ownership.map((o) => `${o.kind}/${o.name}`);

/** A vmcp-lambda status apply entry holding exactly the paths of `status`. */
function statusEntry(manager: string, operation: string, status: Record<string, unknown>) {
  const fields: Record<string, Record<string, object>> = {};
  for (const path of statusPaths(status)) {
    const [field = "", key] = path.split("/");
    fields[`f:${field}`] ??= {};
    if (key) fields[`f:${field}`] = { ...fields[`f:${field}`], [`k:${JSON.stringify({ type: key })}`]: {} };
  }
  return entry(manager, operation, { "f:status": fields }, "status");
}
const STATUS_OF_OURS = entry(
  "vmcp-lambda",
  "Apply",
  { "f:status": { "f:url": {}, "f:phase": {} } },
  "status",
);

describe("planReconcile of a VirtualMCPServer ToolHive's operator controls", () => {
  it("applies nothing, writes no status and releases every child still marked vmcp-lambda's", () => {
    const p = plan({ vmcp: team("toolhive-operator", [STATUS_OF_OURS]), children: applied() });
    expect(p.outcome).toBe("elsewhere");
    expect(p.apply).toEqual([]);
    expect(p.created).toEqual([]);
    expect(p.remove).toEqual([]);
    expect(p.status).toBeUndefined();
    expect(p.fallbackStatus).toBeUndefined();
    expect(named(p)).toEqual(CHILDREN);
    const configMap = p.ownership.find((o) => o.kind === "ConfigMap");
    expect(configMap?.patch.slice(0, 3)).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "104" },
      { op: "remove", path: "/metadata/labels/app.kubernetes.io~1managed-by" },
      { op: "remove", path: "/metadata/annotations/vmcp-lambda.toolhive.stacklok.dev~1applied" },
    ]);
    expect(managersSet(configMap?.patch)).toEqual(["thv-operator/"]);
    expect(p.statusOwnership?.[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "9" });
    expect(managersSet(p.statusOwnership)).toEqual(["thv-operator/status"]);
  });

  it("leaves an unlabelled one where the operator is the install's default", () => {
    const p = plan({ vmcp: team(undefined, [STATUS_OF_OURS]), children: applied() }, "toolhive-operator");
    expect(p.outcome).toBe("elsewhere");
    expect(p.ownership).toHaveLength(CHILDREN.length);
    expect(p.statusOwnership).toBeDefined();
  });

  it("has nothing to write once the children and the status are released", () => {
    const released = [entry("thv-operator", "Update", { "f:status": { "f:phase": {} } }, "status")];
    const p = plan({ vmcp: team("toolhive-operator", released), children: operatorsChildren() });
    expect(p.outcome).toBe("elsewhere");
    expect(p.ownership).toEqual([]);
    expect(p.statusOwnership).toBeUndefined();
    expect(p.apply).toEqual([]);
    expect(p.status).toBeUndefined();
  });
});

describe("planReconcile of a VirtualMCPServer vmcp-lambda controls", () => {
  it("applies nothing and takes nothing over while its children are in place and its own", () => {
    const p = plan({ vmcp: team("vmcp-lambda"), children: applied() });
    expect(p.outcome).toBe("ok");
    expect(p.apply).toEqual([]);
    expect(p.ownership).toEqual([]);
    expect(p.statusOwnership).toBeUndefined();
  });

  it("takes over the ConfigMap and the Deployment the operator wrote, and applies them though in place", () => {
    const children = applied((kind) =>
      kind === "ConfigMap" || kind === "Deployment" ? [APPLY, OPERATORS] : [APPLY],
    );
    const p = plan({ vmcp: team("vmcp-lambda"), children });
    expect(named(p)).toEqual(["ConfigMap/team-vmcp-config", "Deployment/team"]);
    expect(p.apply.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual(named(p));
    expect(p.created).toEqual([]);
    const deployment = p.ownership.find((o) => o.kind === "Deployment");
    expect(deployment?.patch[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "105" });
    expect(deployment?.patch[1]).toMatchObject({
      op: "replace",
      path: "/metadata/managedFields",
      value: [{ manager: "vmcp-lambda", operation: "Apply", time: LATER }],
    });
  });

  it("takes over children the operator created, with no mark of vmcp-lambda's on them", () => {
    const p = plan({ vmcp: team(), children: operatorsChildren() });
    expect(named(p)).toEqual(CHILDREN);
    expect(p.apply).toHaveLength(CHILDREN.length);
    expect(p.created).toEqual([]);
    for (const o of p.ownership) expect(managersSet(o.patch)).toEqual(["vmcp-lambda/"]);
  });

  it("takes over a status the operator holds part of, and writes the status though it holds", () => {
    const children = applied();
    const status = plan({ vmcp: team("vmcp-lambda"), children }).status ?? {};
    const ours = statusEntry("vmcp-lambda", "Apply", status);
    const settled = plan({ vmcp: team("vmcp-lambda", [ours], status), children });
    expect(settled.status).toBeUndefined();
    expect(settled.statusOwnership).toBeUndefined();

    const operators = entry(
      "thv-operator",
      "Update",
      { "f:status": { "f:phase": {}, "f:message": {} } },
      "status",
    );
    const p = plan({ vmcp: team("vmcp-lambda", [ours, operators], status), children });
    expect(p.statusOwnership?.[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "9" });
    expect(managersSet(p.statusOwnership)).toEqual(["vmcp-lambda/status"]);
    expect(p.status).toEqual(status);
    expect(p.ownership).toEqual([]);
  });
});
