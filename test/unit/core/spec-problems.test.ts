import { describe, expect, it } from "vitest";
import { validateVirtualMCPServer } from "../../../functions/core/admission/spec-problems.ts";
import { formatErrors } from "../../../functions/core/kinds/field-errors.ts";
import { vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

const errorsOf = (spec: Parameters<typeof vmcp>[0], name?: string) => {
  const object = vmcp(spec);
  if (name) object.metadata.name = name;
  return validateVirtualMCPServer(object);
};

describe("validateVirtualMCPServer", () => {
  it("accepts a minimal valid object, and the old spec.config.groupRef spelling", () => {
    expect(errorsOf({})).toEqual([]);
    expect(errorsOf({ groupRef: undefined, config: { groupRef: "team-group" } })).toEqual([]);
  });

  it.each([
    ["no group", { groupRef: {} }, "spec.groupRef.name", /required; name the MCPGroup/],
    [
      "oidc without its reference",
      { incomingAuth: { type: "oidc" } },
      "spec.incomingAuth.oidcConfigRef",
      /required when type is oidc/,
    ],
    [
      "an unknown incoming type",
      { incomingAuth: { type: "basic" } },
      "spec.incomingAuth.type",
      /unsupported value "basic"/,
    ],
    [
      "an authz config whose member disagrees with its type",
      {
        incomingAuth: {
          type: "anonymous",
          authzConfig: {
            type: "inline",
            inline: { policies: ["permit(principal, action, resource);"] },
            configMap: { name: "x" },
          },
        },
      },

      "spec.incomingAuth.authzConfig.configMap",
      /set, but type is inline/,
    ],
    [
      "both authzConfig and authzConfigRef",
      {
        incomingAuth: {
          type: "anonymous",
          authzConfig: { type: "configMap", configMap: { name: "x" } },
          authzConfigRef: { name: "y" },
        },
      },
      "spec.incomingAuth",
      /mutually exclusive/,
    ],
    [
      "an unknown source",

      { outgoingAuth: { source: "static" } },
      "spec.outgoingAuth.source",
      /unsupported value "static"/,
    ],
    [
      "a backend ref without a name",
      { outgoingAuth: { backends: { github: { type: "externalAuthConfigRef" } } } },
      "spec.outgoingAuth.backends[github].externalAuthConfigRef.name",
      /required when type is externalAuthConfigRef/,
    ],
    [
      "a default without a type",
      { outgoingAuth: { default: { type: "" } } },
      "spec.outgoingAuth.default.type",
      /required/,
    ],
    [
      "the old enum spelling",
      { outgoingAuth: { default: { type: "external_auth_config_ref" } } },
      "spec.outgoingAuth.default.type",
      /old spelling; use "externalAuthConfigRef"/,
    ],
    [
      "priority without an order",
      { config: { aggregation: { conflictResolution: "priority", conflictResolutionConfig: {} } } },
      "spec.config.aggregation.conflictResolutionConfig.priorityOrder",
      /list the workloads/,
    ],
    [
      "a tool without a workload",
      { config: { aggregation: { tools: [{ filter: ["a"] }] } } },
      "spec.config.aggregation.tools[0].workload",
      /required/,
    ],
    [
      "duplicate composite tools",
      {
        config: {
          compositeTools: [
            { name: "t", description: "d", steps: [{ id: "s", tool: "a_b" }] },
            { name: "t", description: "d", steps: [{ id: "s", tool: "a_b" }] },
          ],
        },
      },
      "spec.config.compositeTools[1].name",
      /names must be unique/,
    ],
  ])("reports %s at its field", (_, spec, path, message) => {
    const errors = errorsOf(spec as Parameters<typeof vmcp>[0]);
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]?.message).toMatch(message);
  });

  it("refuses names that cannot name the vmcp-<name> Service", () => {
    expect(errorsOf({}, "x".repeat(58))).toEqual([]);
    expect(formatErrors(errorsOf({}, "x".repeat(59)))).toMatch(
      /^metadata.name: "x{59}" has 59 characters; at most 58 fit/,
    );
    expect(formatErrors(errorsOf({}, "team.tools"))).toMatch(/not a DNS label/);
  });
});
