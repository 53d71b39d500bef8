// The admission fence for ToolHive's operator's writes: what the request alone decides, and what the
// owning VirtualMCPServer, once looked up, decides.
import { describe, expect, it } from "vitest";
import { CONTROLLER_LABEL } from "../../../functions/core/control/controller.ts";
import {
  type FencedWrite,
  fenceByOwner,
  fenceByRequest,
  fencedOwner,
} from "../../../functions/core/control/fence.ts";
import type { ManagedFieldsEntry } from "../../../functions/core/kinds/kubernetes.ts";
import { controllerReference } from "../../../functions/core/kinds/names.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

const HAND_OVER =
  "kubectl label virtualmcpserver team -n tools vmcp-lambda.toolhive.stacklok.dev/controller=toolhive-operator --overwrite";
const OPERATOR = { username: "system:serviceaccount:toolhive-system:toolhive-operator", groups: [] };
const STATUS_OF_OURS = {
  manager: "vmcp-lambda",
  operation: "Apply",
  subresource: "status",
  fieldsV1: { "f:status": { "f:url": {} } },
} as ManagedFieldsEntry;

/** The VirtualMCPServer "team" as stored, with the controller label (if any) and managedFields given. */
function team(controller?: string, managedFields: ManagedFieldsEntry[] = []) {
  const object = vmcp();
  return {
    ...object,
    metadata: {
      ...object.metadata,
      ...(controller ? { labels: { [CONTROLLER_LABEL]: controller } } : {}),
      managedFields,
    },
  };
}

/** The operator's write of `object` (kind given) as the API server sends it to the fence. */
const write = (kind: string, object: unknown, request: Record<string, unknown> = {}): FencedWrite =>
  admissionReview(kind, object, { userInfo: OPERATOR, ...request }).request;

/** The operator's status update of the team VirtualMCPServer stored as `stored`. */
const statusUpdate = (stored: object) =>
  write("VirtualMCPServer", stored, { operation: "UPDATE", subResource: "status", oldObject: stored });

/** The team's Deployment, owned by the VirtualMCPServer, with the labels given. */
const deployment = (
  labels: Record<string, string> = {},
  ownerReferences: { apiVersion: string; kind: string; name: string }[] = [controllerReference(vmcp())],
) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "team",
    namespace: "tools",
    labels: { app: "virtualmcpserver", ...labels },
    ownerReferences,
  },
  spec: { replicas: 1 },
});
const APPS = { kind: { group: "apps", version: "v1", kind: "Deployment" } };

describe("fenceByRequest, a VirtualMCPServer's status", () => {
  it("refuses the operator's write to one labelled vmcp-lambda, saying how to hand it over", () => {
    const verdict = fenceByRequest(statusUpdate(team("vmcp-lambda")), "toolhive-operator");
    expect(verdict).toEqual({
      allowed: false,
      message: `VirtualMCPServer "tools/team" is controlled by vmcp-lambda, so ToolHive's operator may not write its VirtualMCPServer/status "tools/team"; to hand it to the operator: ${HAND_OVER}`,
    });
  });

  it("refuses it for an unlabelled one where vmcp-lambda is the install's default, not where the operator is", () => {
    const verdict = fenceByRequest(statusUpdate(team()), "vmcp-lambda");
    expect(verdict).toMatchObject({ allowed: false });
    expect(verdict !== "lookup" && !verdict.allowed && verdict.message).toContain(
      "controlled by vmcp-lambda",
    );
    expect(fenceByRequest(statusUpdate(team()), "toolhive-operator")).toEqual({ allowed: true });
  });

  it("allows it for one labelled toolhive-operator that vmcp-lambda has released", () => {
    expect(fenceByRequest(statusUpdate(team("toolhive-operator")), "vmcp-lambda")).toEqual({ allowed: true });
    const released = team("toolhive-operator", [
      { ...STATUS_OF_OURS, manager: "thv-operator", operation: "Update" },
    ]);
    expect(fenceByRequest(statusUpdate(released), "vmcp-lambda")).toEqual({ allowed: true });
  });

  it("refuses it while vmcp-lambda still holds status fields of one handed to the operator", () => {
    for (const manager of ["vmcp-lambda", "vmcp-lambda-fallback"]) {
      const stored = team("toolhive-operator", [{ ...STATUS_OF_OURS, manager }]);
      const verdict = fenceByRequest(statusUpdate(stored), "vmcp-lambda");
      expect(verdict).toEqual({
        allowed: false,
        message:
          'VirtualMCPServer "tools/team" is being handed to ToolHive\'s operator and vmcp-lambda has not finished releasing it (the status goes last), so the operator may not write its VirtualMCPServer/status "tools/team" yet; its next retry will find it released',
      });
    }
  });

  it("judges by the object as stored, not as the operator would write it", () => {
    const relabelled = write("VirtualMCPServer", team("toolhive-operator"), {
      operation: "UPDATE",
      subResource: "status",
      oldObject: team("vmcp-lambda"),
    });
    expect(fenceByRequest(relabelled, "toolhive-operator")).toMatchObject({ allowed: false });
  });
});

describe("fenceByRequest, a VirtualMCPServer's child", () => {
  it("names the owning VirtualMCPServer of toolhive.stacklok.dev, of any version", () => {
    expect(fencedOwner(write("Deployment", deployment(), APPS))).toBe("team");
    const v1alpha1 = { ...controllerReference(vmcp()), apiVersion: "toolhive.stacklok.dev/v1alpha1" };
    expect(fencedOwner(write("Deployment", deployment({}, [v1alpha1]), APPS))).toBe("team");
  });

  it("looks the owner up for the operator's create of a child", () => {
    expect(fenceByRequest(write("Deployment", deployment(), APPS), "vmcp-lambda")).toBe("lookup");
    expect(fenceByRequest(write("Deployment", deployment(), APPS), "toolhive-operator")).toBe("lookup");
  });

  it("refuses the update of a child still marked vmcp-lambda's without a lookup", () => {
    const update = write("Deployment", deployment(), {
      ...APPS,
      operation: "UPDATE",
      oldObject: deployment({ "app.kubernetes.io/managed-by": "vmcp-lambda" }),
    });
    const verdict = fenceByRequest(update, "toolhive-operator");
    expect(verdict).not.toBe("lookup");
    expect(verdict).toMatchObject({ allowed: false });
    expect(verdict !== "lookup" && !verdict.allowed && verdict.message).toContain(
      'bears app.kubernetes.io/managed-by=vmcp-lambda: VirtualMCPServer "tools/team" is controlled by vmcp-lambda, or is being handed',
    );
  });

  it("looks the owner up for the update of an unmarked child, or one marked by someone else", () => {
    const update = (labels: Record<string, string>) =>
      write("Deployment", deployment(), { ...APPS, operation: "UPDATE", oldObject: deployment(labels) });
    expect(fenceByRequest(update({}), "vmcp-lambda")).toBe("lookup");
    expect(fenceByRequest(update({ "app.kubernetes.io/managed-by": "Helm" }), "vmcp-lambda")).toBe("lookup");
  });

  it("allows a write whose owner is of another kind or another API group, or has no owner", () => {
    const server = { apiVersion: "toolhive.stacklok.dev/v1beta1", kind: "MCPServer", name: "team", uid: "u" };
    const foreign = { apiVersion: "example.com/v1", kind: "VirtualMCPServer", name: "team", uid: "u" };
    for (const refs of [[server], [foreign], []]) {
      const request = write("Deployment", deployment({}, refs), APPS);
      expect(fencedOwner(request)).toBeUndefined();
      expect(fenceByRequest(request, "vmcp-lambda")).toEqual({ allowed: true });
    }
  });

  it("reads the owner of a deleted child from the object as it stood", () => {
    const removal = write("Deployment", null, {
      ...APPS,
      operation: "DELETE",
      name: "team",
      oldObject: deployment(),
    });
    expect(fencedOwner(removal)).toBe("team");
    expect(fenceByRequest(removal, "vmcp-lambda")).toBe("lookup");
    expect(fenceByOwner(removal, team("vmcp-lambda"), "toolhive-operator")).toMatchObject({
      allowed: false,
      message: expect.stringContaining('may not write its Deployment "tools/team"'),
    });
  });
});

describe("fenceByOwner", () => {
  const create = write("Deployment", deployment(), APPS);

  it("allows the write when the owner is gone or could not be read", () => {
    expect(fenceByOwner(create, undefined, "vmcp-lambda")).toEqual({ allowed: true });
  });

  it("refuses the write to a child of a VirtualMCPServer vmcp-lambda controls, naming the child", () => {
    expect(fenceByOwner(create, team("vmcp-lambda"), "toolhive-operator")).toEqual({
      allowed: false,
      message: `VirtualMCPServer "tools/team" is controlled by vmcp-lambda, so ToolHive's operator may not write its Deployment "tools/team"; to hand it to the operator: ${HAND_OVER}`,
    });
    expect(fenceByOwner(create, team(), "vmcp-lambda")).toMatchObject({ allowed: false });
  });

  it("allows the write to a child of one the operator controls, by label or by default", () => {
    expect(fenceByOwner(create, team("toolhive-operator"), "vmcp-lambda")).toEqual({ allowed: true });
    expect(fenceByOwner(create, team(), "toolhive-operator")).toEqual({ allowed: true });
  });

  it("refuses the write to a child of one handed to the operator until vmcp-lambda has released its status", () => {
    const releasing = team("toolhive-operator", [STATUS_OF_OURS]);
    const verdict = fenceByOwner(create, releasing, "vmcp-lambda");
    expect(verdict).toMatchObject({ allowed: false });
    expect(verdict.allowed === false && verdict.message).toContain("has not finished releasing it");
  });

  it("allows the write to a child of one whose label names nobody (vmcp-lambda keeps its hands off)", () => {
    expect(fenceByOwner(create, team("thv-operator"), "vmcp-lambda")).toEqual({ allowed: true });
  });
});
