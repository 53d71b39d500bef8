// hintFor: which admitted writes become change hints for the reconcile side, and what a hint carries.
import { describe, expect, it } from "vitest";
import { hintFor } from "../../functions/admission/hints.ts";
import { AdmissionReview } from "../../functions/core/admission/review.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { mcpServer, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const OWN = ["system:serviceaccount:vmcp-lambda:functions"];
const AT = 1_795_490_009_438;

const request = (kind: string, object: unknown, extra: Record<string, unknown> = {}) =>
  AdmissionReview.parse(admissionReview(kind, object, extra)).request;

/** The MCPServer "github" in the group `groupRef` names (ToolHive before v1beta1 wrote a plain string). */
const github = (groupRef: string | { name: string }, resourceVersion: string) =>
  mcpServer("github", {
    metadata: { uid: "srv-uid", resourceVersion },
    spec: { image: "ghcr.io/github/github-mcp-server:v0.4", groupRef },
  });

const withMeta = (object: ReturnType<typeof virtualMCPServer>, uid: string, resourceVersion: string) => ({
  ...object,
  metadata: { ...object.metadata, uid, resourceVersion },
});

const deployment = (
  available: "True" | "False",
  readyReplicas: number | undefined,
  resourceVersion: string,
) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "team",
    namespace: "tools",
    uid: "dep-uid",
    resourceVersion,
    labels: { "app.kubernetes.io/managed-by": "vmcp-lambda" },
  },
  spec: { replicas: 1 },
  status: {
    observedGeneration: 2,
    replicas: 1,
    ...(readyReplicas === undefined ? {} : { readyReplicas }),
    conditions: [
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
      { type: "Available", status: available, reason: "MinimumReplicasAvailable" },
    ],
  },
});

const deploymentStatusUpdate = (old: unknown, object: unknown) =>
  request("Deployment", object, {
    kind: { group: "apps", version: "v1", kind: "Deployment" },
    resource: { group: "apps", version: "v1", resource: "deployments" },
    subResource: "status",
    operation: "UPDATE",
    userInfo: { username: "system:serviceaccount:kube-system:deployment-controller" },
    oldObject: old,
  });

describe("hintFor", () => {
  it("gives no hint for a dry run", () => {
    const vmcp = withMeta(virtualMCPServer("team"), "v-uid", "3");
    expect(hintFor(request("VirtualMCPServer", vmcp, { dryRun: true }), OWN)).toBeUndefined();
    expect(hintFor(request("VirtualMCPServer", vmcp, { dryRun: false }), OWN)).toMatchObject({
      name: "team",
    });
  });

  it("gives no hint for kinds the reconcile does not read", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "settings", namespace: "tools" },
    };
    const review = request("Secret", secret, {
      kind: { group: "", version: "v1", kind: "Secret" },
      resource: { group: "", version: "v1", resource: "secrets" },
    });
    expect(hintFor(review, OWN)).toBeUndefined();
  });

  it("gives no hint for the functions' own writes", () => {
    const vmcp = withMeta(virtualMCPServer("team"), "v-uid", "3");
    const own = request("VirtualMCPServer", vmcp, { userInfo: { username: OWN[0] } });
    expect(hintFor(own, OWN)).toBeUndefined();
    expect(hintFor(own, [])).toMatchObject({ kind: "VirtualMCPServer", name: "team" });
  });

  it("names both groups of an MCPServer moved from group a to group b", () => {
    const review = request("MCPServer", github({ name: "b" }, "41"), {
      name: "github",
      operation: "UPDATE",
      oldObject: github({ name: "a" }, "40"),
    });
    expect(hintFor(review, OWN, AT)).toEqual({
      at: AT,
      kind: "MCPServer",
      namespace: "tools",
      name: "github",
      uid: "srv-uid",
      operation: "UPDATE",
      oldResourceVersion: "40",
      groups: ["a", "b"],
    });
  });

  it("reads the legacy plain-string groupRef too, naming an unchanged group once", () => {
    const moved = request("MCPServer", github("b", "41"), {
      name: "github",
      operation: "UPDATE",
      oldObject: github("a", "40"),
    });
    expect(hintFor(moved, OWN)?.groups).toEqual(["a", "b"]);
    const migrated = request("MCPServer", github({ name: "a" }, "41"), {
      name: "github",
      operation: "UPDATE",
      oldObject: github("a", "40"),
    });
    expect(hintFor(migrated, OWN)?.groups).toEqual(["a"]);
  });

  it("carries a VirtualMCPServer UPDATE's old resourceVersion from oldObject, and no groups", () => {
    const review = request("VirtualMCPServer", withMeta(virtualMCPServer("team"), "v-uid", "12"), {
      operation: "UPDATE",
      oldObject: withMeta(virtualMCPServer("team"), "v-uid", "11"),
    });
    expect(hintFor(review, OWN, AT)).toEqual({
      at: AT,
      kind: "VirtualMCPServer",
      namespace: "tools",
      name: "team",
      uid: "v-uid",
      operation: "UPDATE",
      oldResourceVersion: "11",
      groups: [],
    });
  });

  it("takes a DELETE's uid, name and resourceVersion from oldObject", () => {
    const old = withMeta(virtualMCPServer("gone"), "old-uid", "77");
    const review = request("VirtualMCPServer", undefined, {
      name: undefined,
      operation: "DELETE",
      oldObject: old,
    });
    expect(review.object).toBeUndefined();
    expect(hintFor(review, OWN, AT)).toEqual({
      at: AT,
      kind: "VirtualMCPServer",
      namespace: "tools",
      name: "gone",
      uid: "old-uid",
      operation: "DELETE",
      oldResourceVersion: "77",
      groups: [],
    });
  });

  it("names the groups of a deleted MCPServer from oldObject", () => {
    const review = request("MCPServer", undefined, {
      name: "github",
      operation: "DELETE",
      oldObject: github({ name: "a" }, "40"),
    });
    expect(hintFor(review, OWN)).toMatchObject({ uid: "srv-uid", groups: ["a"], oldResourceVersion: "40" });
  });

  it("gives no hint for a Deployment status update that leaves availability alone", () => {
    const review = deploymentStatusUpdate(deployment("True", 1, "500"), {
      ...deployment("True", 1, "501"),
      status: { ...deployment("True", 1, "501").status, observedGeneration: 3 },
    });
    expect(hintFor(review, OWN)).toBeUndefined();
  });

  it("hints a Deployment whose Available condition flips from False to True", () => {
    const review = deploymentStatusUpdate(deployment("False", 1, "500"), deployment("True", 1, "501"));
    expect(hintFor(review, OWN, AT)).toEqual({
      at: AT,
      kind: "Deployment",
      namespace: "tools",
      name: "team",
      uid: "dep-uid",
      operation: "UPDATE",
      oldResourceVersion: "500",
      groups: [],
    });
  });

  it("hints a Deployment whose ready replicas change while Available holds", () => {
    const review = deploymentStatusUpdate(deployment("True", undefined, "500"), deployment("True", 1, "501"));
    expect(hintFor(review, OWN)).toMatchObject({
      kind: "Deployment",
      name: "team",
      oldResourceVersion: "500",
    });
  });
});
