// Handing a VirtualMCPServer's children and status between vmcp-lambda and ToolHive's operator through
// metadata.managedFields: the JSON patches takeOver and release compute, with managedFields as the API
// server writes them.
import { describe, expect, it } from "vitest";
import { holdsFields, release, takeOver, unionFields } from "../../../functions/core/control/handover.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../functions/core/kinds/kubernetes.ts";
import { LATER, NOW, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { configMap } from "../../../infra/local/test-kit/toolhive-objects.ts";

const APPLIED = "vmcp-lambda.toolhive.stacklok.dev/applied";
const entry = (manager: string, operation: string, fieldsV1: object, subresource?: string) =>
  ({
    manager,
    operation,
    apiVersion: "v1",
    time: "2026-11-24T09:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  }) as ManagedFieldsEntry;

/** vmcp-lambda's apply of the team's ConfigMap: its labels, its applied hash, config.yaml. */
const OURS = entry("vmcp-lambda", "Apply", {
  "f:metadata": {
    "f:labels": { "f:app": {}, "f:app.kubernetes.io/managed-by": {} },
    "f:annotations": { "f:toolhive.stacklok.dev/content-checksum": {}, [`f:${APPLIED}`]: {} },
  },
  "f:data": { "f:config.yaml": {} },
});
/** ToolHive's operator's update of the same ConfigMap: its labels and a key of its own. */
const OPERATORS = entry("thv-operator", "Update", {
  "f:metadata": { "f:labels": { ".": {}, "f:app": {}, "f:toolhive": {} } },
  "f:data": { ".": {}, "f:config.yaml": {}, "f:operator.yaml": {} },
});
const KUBECTL = entry("kubectl-edit", "Update", { "f:metadata": { "f:labels": { "f:team": {} } } });
const GARBAGE_COLLECTOR = entry(
  "kube-controller-manager",
  "Update",
  { "f:status": { "f:observedGeneration": {} } },
  "status",
);

/** The team's ConfigMap at resourceVersion 41, with vmcp-lambda's marks and the entries given. */
const child = (managedFields: ManagedFieldsEntry[], marked = true): KubeObject =>
  configMap(
    "team-vmcp-config",
    { "config.yaml": "name: team\n" },
    {
      metadata: {
        resourceVersion: "41",
        labels: {
          app: "virtualmcpserver",
          ...(marked ? { "app.kubernetes.io/managed-by": "vmcp-lambda" } : {}),
        },
        annotations: marked ? { [APPLIED]: "0123456789abcdef" } : {},
        managedFields,
      },
    },
  );

/** The managedFields a patch replaces, and its first op. */
const replaced = (patch: readonly unknown[] | undefined) => {
  const replace = patch?.find((op) => (op as { path: string }).path === "/metadata/managedFields");
  return (replace as { value: ManagedFieldsEntry[] } | undefined)?.value;
};

describe("unionFields", () => {
  it("keeps the fields of both when they are disjoint", () => {
    expect(unionFields({ "f:data": { "f:a": {} } }, { "f:spec": { "f:replicas": {} } })).toEqual({
      "f:data": { "f:a": {} },
      "f:spec": { "f:replicas": {} },
    });
  });

  it("merges overlapping and nested fields key by key", () => {
    const union = unionFields(OURS.fieldsV1 ?? {}, OPERATORS.fieldsV1 ?? {});
    expect(union).toEqual({
      "f:metadata": {
        "f:labels": { "f:app": {}, "f:app.kubernetes.io/managed-by": {}, ".": {}, "f:toolhive": {} },
        "f:annotations": { "f:toolhive.stacklok.dev/content-checksum": {}, [`f:${APPLIED}`]: {} },
      },
      "f:data": { "f:config.yaml": {}, ".": {}, "f:operator.yaml": {} },
    });
  });

  it("keeps a tree over a leaf and takes the tree where the first has a leaf", () => {
    const tree = { "f:spec": { "f:template": { "f:spec": {} } } };
    expect(unionFields({ "f:spec": {} }, tree)).toEqual(tree);
    expect(unionFields(tree, { "f:spec": {} })).toEqual(tree);
    expect(unionFields({ "f:spec": true }, tree)).toEqual(tree);
    expect(unionFields(tree, { "f:spec": true })).toEqual(tree);
  });

  it("changes neither argument", () => {
    const a = { "f:data": { "f:a": {} } };
    unionFields(a, { "f:data": { "f:b": {} } });
    expect(a).toEqual({ "f:data": { "f:a": {} } });
  });
});

describe("takeOver", () => {
  it("has nothing to do when the operator holds nothing of the subresource", () => {
    expect(takeOver(child([OURS, KUBECTL]), "", NOW)).toBeUndefined();
    expect(takeOver(child([OURS, { ...OPERATORS, subresource: "status" }]), "", NOW)).toBeUndefined();
    expect(takeOver(child([OURS, OPERATORS]), "status", NOW)).toBeUndefined();
  });

  it("merges the operator's fields into vmcp-lambda's apply entry, after testing the resourceVersion", () => {
    const patch = takeOver(child([OURS, OPERATORS]), "", LATER);
    expect(patch?.[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "41" });
    expect(patch).toHaveLength(2);
    expect(patch?.[1]).toEqual({
      op: "replace",
      path: "/metadata/managedFields",
      value: [
        {
          manager: "vmcp-lambda",
          operation: "Apply",
          apiVersion: "v1",
          time: LATER,
          fieldsType: "FieldsV1",
          fieldsV1: unionFields(OURS.fieldsV1 ?? {}, OPERATORS.fieldsV1 ?? {}),
        },
      ],
    });
  });

  it("makes vmcp-lambda an apply entry when the operator created the child", () => {
    const second = entry("thv-operator", "Update", { "f:metadata": { "f:ownerReferences": {} } });
    const entries = replaced(takeOver(child([OPERATORS, second], false), "", NOW));
    expect(entries).toEqual([
      {
        manager: "vmcp-lambda",
        operation: "Apply",
        apiVersion: "v1",
        time: NOW,
        fieldsType: "FieldsV1",
        fieldsV1: unionFields(OPERATORS.fieldsV1 ?? {}, second.fieldsV1 ?? {}),
      },
    ]);
  });

  it("leaves other managers' entries as they are, in their order, the status subresource's included", () => {
    const operatorsStatus = { ...OPERATORS, subresource: "status" };
    const entries = replaced(
      takeOver(child([GARBAGE_COLLECTOR, OURS, KUBECTL, OPERATORS, operatorsStatus]), "", NOW),
    );
    expect(entries?.map((e) => `${e.manager}/${e.subresource ?? ""}`)).toEqual([
      "kube-controller-manager/status",
      "kubectl-edit/",
      "thv-operator/status",
      "vmcp-lambda/",
    ]);
    expect(entries?.slice(0, 3)).toEqual([GARBAGE_COLLECTOR, KUBECTL, operatorsStatus]);
  });

  it("takes over the status alone, keeping subresource status and the operator's entry of the object", () => {
    const statusOfOurs = entry("vmcp-lambda", "Apply", { "f:status": { "f:url": {} } }, "status");
    const statusOfTheirs = entry("thv-operator", "Update", { "f:status": { "f:phase": {} } }, "status");
    const finalizers = entry("thv-operator", "Update", { "f:metadata": { "f:finalizers": {} } });
    const object = vmcp();
    const team = {
      ...object,
      metadata: {
        ...object.metadata,
        resourceVersion: "7",
        managedFields: [finalizers, statusOfOurs, statusOfTheirs],
      },
    };
    const patch = takeOver(team, "status", NOW);
    expect(patch?.[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "7" });
    expect(replaced(patch)).toEqual([
      finalizers,
      {
        manager: "vmcp-lambda",
        operation: "Apply",
        apiVersion: "v1",
        time: NOW,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:status": { "f:url": {}, "f:phase": {} } },
        subresource: "status",
      },
    ]);
  });
});

describe("release", () => {
  it("removes vmcp-lambda's label and annotation by escaped JSON pointers, after testing the resourceVersion", () => {
    const patch = release(child([OURS]), "", NOW);
    expect(patch?.slice(0, 3)).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "41" },
      { op: "remove", path: "/metadata/labels/app.kubernetes.io~1managed-by" },
      { op: "remove", path: "/metadata/annotations/vmcp-lambda.toolhive.stacklok.dev~1applied" },
    ]);
    expect(patch?.[3]).toMatchObject({ op: "replace", path: "/metadata/managedFields" });
  });

  it("hands vmcp-lambda's fields to the operator as one update entry, without the marks' fields", () => {
    const entries = replaced(release(child([KUBECTL, OURS]), "", LATER));
    expect(entries).toEqual([
      KUBECTL,
      {
        manager: "thv-operator",
        operation: "Update",
        apiVersion: "v1",
        time: LATER,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": {
            "f:labels": { "f:app": {} },
            "f:annotations": { "f:toolhive.stacklok.dev/content-checksum": {} },
          },
          "f:data": { "f:config.yaml": {} },
        },
      },
    ]);
  });

  it("merges the operator's own entry and both of vmcp-lambda's managers into that one entry", () => {
    const fallback = entry("vmcp-lambda-fallback", "Apply", { "f:data": { "f:fallback.yaml": {} } });
    const entries = replaced(release(child([OPERATORS, GARBAGE_COLLECTOR, OURS, fallback]), "", NOW));
    expect(entries?.map((e) => e.manager)).toEqual(["kube-controller-manager", "thv-operator"]);
    expect(entries?.[1]?.fieldsV1).toEqual({
      "f:metadata": {
        "f:labels": { ".": {}, "f:app": {}, "f:toolhive": {} },
        "f:annotations": { "f:toolhive.stacklok.dev/content-checksum": {} },
      },
      "f:data": { ".": {}, "f:config.yaml": {}, "f:operator.yaml": {}, "f:fallback.yaml": {} },
    });
  });

  it("releases the status as a status entry, touching no label or annotation", () => {
    const applied = entry("vmcp-lambda", "Apply", { "f:status": { "f:url": {}, "f:phase": {} } }, "status");
    const fallback = entry(
      "vmcp-lambda-fallback",
      "Apply",
      { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {} } } } },
      "status",
    );
    const object = child([OURS, applied, fallback]);
    expect(holdsFields(object, "status")).toBe(true);
    const patch = release(object, "status", NOW);
    expect(patch?.map((op) => op.op)).toEqual(["test", "replace"]);
    expect(replaced(patch)).toEqual([
      OURS,
      {
        manager: "thv-operator",
        operation: "Update",
        apiVersion: "v1",
        time: NOW,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:status": {
            "f:url": {},
            "f:phase": {},
            "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {} } },
          },
        },
        subresource: "status",
      },
    ]);
  });

  it("claims no label or annotation map for the operator where the marks were all vmcp-lambda held there", () => {
    const marksOnly = entry("vmcp-lambda", "Apply", {
      "f:metadata": {
        "f:labels": { "f:app.kubernetes.io/managed-by": {} },
        "f:annotations": { [`f:${APPLIED}`]: {} },
      },
      "f:data": { "f:config.yaml": {} },
    });
    const patch = release(child([marksOnly]), "", NOW) ?? [];
    const replaced = patch.find((op) => op.op === "replace") as { value: ManagedFieldsEntry[] };
    expect(replaced.value.at(-1)?.fieldsV1).toEqual({ "f:data": { "f:config.yaml": {} } });
  });

  it("removes only the marks when vmcp-lambda holds no fields any more", () => {
    expect(release(child([OPERATORS]), "", NOW)).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "41" },
      { op: "remove", path: "/metadata/labels/app.kubernetes.io~1managed-by" },
      { op: "remove", path: "/metadata/annotations/vmcp-lambda.toolhive.stacklok.dev~1applied" },
    ]);
  });

  it("has nothing to do when nothing of vmcp-lambda's is left", () => {
    expect(release(child([OPERATORS, KUBECTL], false), "", NOW)).toBeUndefined();
    expect(release(child([OURS, OPERATORS]), "status", NOW)).toBeUndefined();
    expect(holdsFields(child([OPERATORS], false), "")).toBe(false);
  });

  it("leaves a managed-by label that is not vmcp-lambda's", () => {
    const helm = child([OURS]);
    helm.metadata.labels = { "app.kubernetes.io/managed-by": "Helm" };
    const patch = release(helm, "", NOW);
    expect(patch?.map((op) => `${op.op} ${op.path}`)).toEqual([
      "test /metadata/resourceVersion",
      "remove /metadata/annotations/vmcp-lambda.toolhive.stacklok.dev~1applied",
      "replace /metadata/managedFields",
    ]);
  });
});
