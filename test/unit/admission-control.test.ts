// The admission function beside ToolHive's operator: a VirtualMCPServer the operator controls is neither
// judged nor defaulted nor hinted (except the write that hands it over), a controller label it cannot read
// is refused, and the fence path refuses the operator's writes to what vmcp-lambda controls.
import { describe, expect, it } from "vitest";
import { admit } from "../../functions/admission/admit.ts";
import { RecordingPublisher } from "../../functions/admission/hints.ts";
import { CONTROLLER_LABEL, type Controller } from "../../functions/core/control/controller.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const OPERATOR = "system:serviceaccount:toolhive-system:toolhive-operator";

function setup(controller: Controller, owner?: unknown) {
  const publisher = new RecordingPublisher();
  const calls = { lookUp: 0, lookUpOwner: [] as string[] };
  const deps = {
    publisher,
    controller,
    // Every reference missing: a spec vmcp-lambda judged would be refused.
    lookUp: async () => {
      calls.lookUp += 1;
      return { group: "missing" as const, authConfigs: new Map() };
    },
    lookUpOwner: async (namespace: string, name: string) => {
      calls.lookUpOwner.push(`${namespace}/${name}`);
      return owner;
    },
  };
  return { deps, publisher, calls };
}

const labelled = (value?: string) =>
  virtualMCPServer("team", {
    group: "no-such-group",
    metadata: { uid: "u-team", ...(value ? { labels: { [CONTROLLER_LABEL]: value } } : {}) },
  });

const responseOf = (result: Awaited<ReturnType<typeof admit>>) => {
  if (result.status !== 200) throw new Error(result.error);
  return result.review.response;
};

describe("a VirtualMCPServer ToolHive's operator controls", () => {
  it("is admitted unjudged, without lookups or a hint, by label or by the install's default", async () => {
    for (const [controller, label] of [
      ["vmcp-lambda", "toolhive-operator"],
      ["toolhive-operator", undefined],
    ] as const) {
      const { deps, publisher, calls } = setup(controller);
      const response = responseOf(
        await admit(admissionReview("VirtualMCPServer", labelled(label)), "validate", deps),
      );
      expect(response.allowed).toBe(true);
      expect(calls.lookUp).toBe(0);
      expect(publisher.hints).toEqual([]);
    }
  });

  it("gets no defaults from the mutating webhook, where one vmcp-lambda controls does", async () => {
    const theirs = setup("toolhive-operator");
    expect(
      responseOf(await admit(admissionReview("VirtualMCPServer", labelled()), "mutate", theirs.deps)).patch,
    ).toBeUndefined();
    const ours = setup("toolhive-operator");
    const patched = responseOf(
      await admit(admissionReview("VirtualMCPServer", labelled("vmcp-lambda")), "mutate", ours.deps),
    );
    expect(patched.patch).toBeDefined();
  });

  it("is hinted on the write that hands it from vmcp-lambda to the operator, so the reconcile releases it", async () => {
    const { deps, publisher, calls } = setup("vmcp-lambda");
    const review = admissionReview("VirtualMCPServer", labelled("toolhive-operator"), {
      operation: "UPDATE",
      oldObject: labelled(),
    });
    expect(responseOf(await admit(review, "validate", deps)).allowed).toBe(true);
    expect(calls.lookUp).toBe(0);
    expect(publisher.hints.map((h) => `${h.kind}/${h.name}`)).toEqual(["VirtualMCPServer/team"]);
  });

  it("is judged again once labelled for vmcp-lambda", async () => {
    const { deps, calls } = setup("toolhive-operator");
    const review = admissionReview("VirtualMCPServer", labelled("vmcp-lambda"), {
      operation: "UPDATE",
      oldObject: labelled(),
    });
    const response = responseOf(await admit(review, "validate", deps));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('MCPGroup "no-such-group" not found');
    expect(calls.lookUp).toBe(1);
  });
});

it("refuses a controller label it cannot read, naming the label and the values it takes", async () => {
  const { deps } = setup("vmcp-lambda");
  const response = responseOf(
    await admit(admissionReview("VirtualMCPServer", labelled("argo")), "validate", deps),
  );
  expect(response.allowed).toBe(false);
  expect(response.status?.message).toBe(
    `metadata.labels["${CONTROLLER_LABEL}"]: "argo" is not a controller; set it to vmcp-lambda or toolhive-operator, or remove it for the install's default`,
  );
});

describe("the fence path", () => {
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "team-vmcp-config",
      namespace: "tools",
      ownerReferences: [
        {
          apiVersion: "toolhive.stacklok.dev/v1beta1",
          kind: "VirtualMCPServer",
          name: "team",
          uid: "u-team",
        },
      ],
    },
    data: { "config.yaml": "name: team\n" },
  };
  const create = admissionReview("ConfigMap", configMap, {
    kind: { group: "", version: "v1", kind: "ConfigMap" },
    resource: { group: "", version: "v1", resource: "configmaps" },
    name: "team-vmcp-config",
    userInfo: { username: OPERATOR },
  });

  it("refuses the operator's child of a VirtualMCPServer vmcp-lambda controls, after looking the owner up", async () => {
    const { deps, calls } = setup("vmcp-lambda", labelled());
    const response = responseOf(await admit(create, "fence", deps));
    expect(calls.lookUpOwner).toEqual(["tools/team"]);
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toContain('VirtualMCPServer "tools/team" is controlled by vmcp-lambda');
    expect(response.status?.message).toContain('ConfigMap "tools/team-vmcp-config"');
  });

  it("admits it when the owner is the operator's, gone, or unreadable", async () => {
    for (const owner of [labelled("toolhive-operator"), undefined]) {
      const { deps } = setup("vmcp-lambda", owner);
      expect(responseOf(await admit(create, "fence", deps)).allowed).toBe(true);
    }
    const { deps } = setup("vmcp-lambda");
    const failing = { ...deps, lookUpOwner: async () => Promise.reject(new Error("timeout")) };
    expect(responseOf(await admit(create, "fence", failing)).allowed).toBe(true);
  });
});
