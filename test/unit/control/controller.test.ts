// The controller label: who controls a VirtualMCPServer, vmcp-lambda or ToolHive's operator, and the
// install's default where the label is absent.
import { describe, expect, it } from "vitest";
import {
  CONTROLLER_LABEL,
  controlledByUs,
  controllerLabelProblem,
  controllerOf,
} from "../../../functions/core/control/controller.ts";
import { vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

/** The scenario's VirtualMCPServer "team" with the controller label set to `value`. */
const labelled = (value: string) => {
  const object = vmcp();
  return { ...object, metadata: { ...object.metadata, labels: { [CONTROLLER_LABEL]: value } } };
};

describe("controllerOf", () => {
  it("names the label as vmcp-lambda spells it", () => {
    expect(CONTROLLER_LABEL).toBe("vmcp-lambda.toolhive.stacklok.dev/controller");
  });

  it("gives the install's default to a VirtualMCPServer without the label, whichever it is", () => {
    expect(controllerOf(vmcp(), "vmcp-lambda")).toBe("vmcp-lambda");
    expect(controllerOf(vmcp(), "toolhive-operator")).toBe("toolhive-operator");
    expect(controlledByUs(vmcp(), "vmcp-lambda")).toBe(true);
    expect(controlledByUs(vmcp(), "toolhive-operator")).toBe(false);
  });

  it("gives the default when other labels are set but not the controller's", () => {
    const object = vmcp();
    const other = { ...object, metadata: { ...object.metadata, labels: { team: "platform" } } };
    expect(controllerOf(other, "toolhive-operator")).toBe("toolhive-operator");
  });

  it("reads vmcp-lambda from the label, over a default of the operator", () => {
    expect(controllerOf(labelled("vmcp-lambda"), "toolhive-operator")).toBe("vmcp-lambda");
    expect(controlledByUs(labelled("vmcp-lambda"), "toolhive-operator")).toBe(true);
    expect(controllerLabelProblem(labelled("vmcp-lambda"))).toBeUndefined();
  });

  it("reads toolhive-operator from the label, over a default of vmcp-lambda", () => {
    expect(controllerOf(labelled("toolhive-operator"), "vmcp-lambda")).toBe("toolhive-operator");
    expect(controlledByUs(labelled("toolhive-operator"), "vmcp-lambda")).toBe(false);
    expect(controllerLabelProblem(labelled("toolhive-operator"))).toBeUndefined();
  });

  it("gives an unknown value to nobody, whatever the default", () => {
    for (const fallback of ["vmcp-lambda", "toolhive-operator"] as const) {
      expect(controllerOf(labelled("thv-operator"), fallback)).toBeUndefined();
      expect(controlledByUs(labelled("thv-operator"), fallback)).toBe(false);
    }
    // Values are exact: neither case nor spaces are forgiven.
    expect(controllerOf(labelled("VMCP-Lambda"), "vmcp-lambda")).toBeUndefined();
    expect(controllerOf(labelled(""), "vmcp-lambda")).toBeUndefined();
  });

  it("reads objects that are not VirtualMCPServers at all as unlabelled", () => {
    for (const object of [null, undefined, "team", 42, [], { metadata: "team" }, { metadata: null }]) {
      expect(controllerOf(object, "toolhive-operator")).toBe("toolhive-operator");
      expect(controlledByUs(object, "vmcp-lambda")).toBe(true);
      expect(controllerLabelProblem(object)).toBeUndefined();
    }
    const labelsNotAnObject = { metadata: { name: "team", labels: "vmcp-lambda" } };
    expect(controllerOf(labelsNotAnObject, "toolhive-operator")).toBe("toolhive-operator");
    expect(controllerOf({ metadata: { labels: ["vmcp-lambda"] } }, "toolhive-operator")).toBe(
      "toolhive-operator",
    );
  });
});

describe("controllerLabelProblem", () => {
  it("says nothing of a VirtualMCPServer without the label", () => {
    expect(controllerLabelProblem(vmcp())).toBeUndefined();
  });

  it("names the label, the value and both controllers allowed", () => {
    expect(controllerLabelProblem(labelled("thv-operator"))).toBe(
      'metadata.labels["vmcp-lambda.toolhive.stacklok.dev/controller"]: "thv-operator" is not a controller; ' +
        "set it to vmcp-lambda or toolhive-operator, or remove it for the install's default",
    );
  });

  it("shows a hostile value escaped, not as it would render", () => {
    const problem = controllerLabelProblem(labelled("vmcp-lambda\u202e"));
    expect(problem).toContain('"vmcp-lambda\\u202e" is not a controller');
    expect(problem).not.toContain("\u202e");
  });

  it("names a value that is not a string as it reads (an admission request is not parsed yet)", () => {
    const object = { metadata: { name: "team", labels: { [CONTROLLER_LABEL]: true } } };
    expect(controllerOf(object, "vmcp-lambda")).toBeUndefined();
    expect(controllerLabelProblem(object)).toContain('"true" is not a controller');
  });
});
