// The runtime's own validation rules that a CRD cannot state: each is refused at its field, with the fix,
// before the runtime could crash-loop on it. The real runtime confirms them in test/runtime/.
import { describe, expect, it } from "vitest";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import { runtimeRuleErrors } from "../../../functions/core/runtime/rules.ts";

const spec = (fields: Record<string, unknown>) =>
  ({ groupRef: { name: "g" }, ...fields }) as VirtualMCPServer["spec"];
const config = (c: Record<string, unknown>) => spec({ config: c });

describe("runtimeRuleErrors", () => {
  it.each([
    [
      "manual without tools",
      config({ aggregation: { conflictResolution: "manual" } }),
      "spec.config.aggregation.tools",
    ],
    [
      "priority without order",
      config({ aggregation: { conflictResolution: "priority" } }),
      "spec.config.aggregation.conflictResolutionConfig.priorityOrder",
    ],
    [
      "an empty prefix format",
      config({ aggregation: { conflictResolutionConfig: { prefixFormat: "" } } }),
      "spec.config.aggregation.conflictResolutionConfig.prefixFormat",
    ],
    [
      "deny with a priority workload that has no tools entry",
      config({
        aggregation: {
          conflictResolution: "priority",
          defaultToolVisibility: "deny",
          conflictResolutionConfig: { priorityOrder: ["a"] },
          tools: [{ workload: "b" }],
        },
      }),
      "spec.config.aggregation.conflictResolutionConfig.priorityOrder[0]",
    ],
    [
      "a tool entry twice",
      config({ aggregation: { tools: [{ workload: "a" }, { workload: "a" }] } }),
      "spec.config.aggregation.tools[1].workload",
    ],
    [
      "an override of annotations only",
      config({ aggregation: { tools: [{ workload: "a", overrides: { t: { annotations: {} } } }] } }),
      "spec.config.aggregation.tools[0].overrides.t",
    ],
    [
      "a zero timeout",
      config({ operational: { timeouts: { default: "0s" } } }),
      "spec.config.operational.timeouts.default",
    ],
    [
      "a check timeout not under its interval",
      config({ operational: { failureHandling: { healthCheckInterval: "10s", healthCheckTimeout: "10s" } } }),
      "spec.config.operational.failureHandling.healthCheckTimeout",
    ],
    [
      "a circuit breaker under 1s",
      config({ operational: { failureHandling: { circuitBreaker: { enabled: true, timeout: "500ms" } } } }),
      "spec.config.operational.failureHandling.circuitBreaker.timeout",
    ],
    [
      "a restricted passthrough header",
      spec({ passthroughHeaders: ["X-Tenant", "authorization"] }),
      "spec.passthroughHeaders[1]",
    ],
    [
      "a passthrough header that is no header name",
      spec({ passthroughHeaders: ["bad header"] }),
      "spec.passthroughHeaders[0]",
    ],
    [
      "a composite tool without description",
      config({ compositeTools: [{ name: "t", steps: [{ id: "s", tool: "echo" }] }] }),
      "spec.config.compositeTools[0].description",
    ],
    ...(
      [
        ["a tool step without its tool", { id: "s" }, "steps[0].tool"],
        ["a step with tool and message but no type", { id: "s", tool: "t", message: "m" }, "steps[0]"],
        ["an unknown step type", { id: "s", type: "shell" }, "steps[0].type"],
        ["an elicitation without message", { id: "s", type: "elicitation" }, "steps[0].message"],
        [
          "a forEach without collection",
          { id: "s", type: "forEach", step: { tool: "t" } },
          "steps[0].collection",
        ],
        ["a dependency on no step", { id: "s", tool: "t", dependsOn: ["x"] }, "steps[0].dependsOn[0]"],
        [
          "a retry without count",
          { id: "s", tool: "t", onError: { action: "retry" } },
          "steps[0].onError.retryCount",
        ],
        [
          "an elicitation answer without action",
          { id: "s", type: "elicitation", message: "ok?", onDecline: {} },
          "steps[0].onDecline.action",
        ],
      ] as const
    ).map(([what, step, at]): [string, VirtualMCPServer["spec"], string] => [
      what,
      config({ compositeTools: [{ name: "t", description: "d", steps: [step] }] }),
      `spec.config.compositeTools[0].${at}`,
    ]),
    [
      "a dependency cycle",
      config({
        compositeTools: [
          {
            name: "t",
            description: "d",
            steps: [
              { id: "a", tool: "t", dependsOn: ["b"] },
              { id: "b", tool: "t", dependsOn: ["a"] },
            ],
          },
        ],
      }),
      "spec.config.compositeTools[0].steps",
    ],
    [
      "parameters that are no object schema",
      config({
        compositeTools: [
          { name: "t", description: "d", parameters: { type: "string" }, steps: [{ id: "s", tool: "t" }] },
        ],
      }),
      "spec.config.compositeTools[0].parameters.type",
    ],
    [
      "inline authz without policies",
      spec({
        incomingAuth: { type: "anonymous", authzConfig: { type: "inline", inline: { policies: [] } } },
      }),
      "spec.incomingAuth.authzConfig.inline.policies",
    ],
  ])("refuses %s", (_, given, path) => {
    expect(runtimeRuleErrors(given).map((e) => e.path)).toEqual([path]);
  });

  it("has nothing to say about a spec the runtime takes", () => {
    expect(
      runtimeRuleErrors(
        spec({
          passthroughHeaders: ["X-Tenant"],
          config: {
            aggregation: {
              conflictResolution: "manual",
              tools: [{ workload: "a", overrides: { t: { name: "u" } } }],
            },
            operational: {
              failureHandling: {
                healthCheckInterval: "30s",
                healthCheckTimeout: "10s",
                circuitBreaker: { enabled: true, timeout: "60s" },
              },
            },
          },
        }),
      ),
    ).toEqual([]);
  });
});
