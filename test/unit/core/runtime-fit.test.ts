// spec.config against the runtime's key table: what is kept, what is left out and named, what is refused.
import { describe, expect, it } from "vitest";
import { AdmissionRequest } from "../../../functions/core/admission/review.ts";
import { decideValidation } from "../../../functions/core/admission/validate.ts";
import { fitSpecConfig, specConfigProblems } from "../../../functions/core/runtime/config-fit.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { virtualMCPServer } from "../../../infra/local/test-kit/toolhive-objects.ts";

const review = (spec: Record<string, unknown>) =>
  AdmissionRequest.parse(admissionReview("VirtualMCPServer", virtualMCPServer("team", { spec })).request);

describe("fitting spec.config to the runtime", () => {
  it("keeps known keys, leaves out unknown ones and names them, by path", () => {
    const fitted = fitSpecConfig(
      {
        aggregation: { conflictResolution: "prefix", tools: [{ workload: "a", hidden: true }] },
        futureFeature: { on: true },
        telemetry: { endpoint: "otel:4317", prometheusPort: 9464 },
      },
      "v0.44.0",
    );
    expect(fitted.value).toEqual({
      aggregation: { conflictResolution: "prefix", tools: [{ workload: "a" }] },
      telemetry: { endpoint: "otel:4317" },
    });
    expect(fitted.unknown.sort()).toEqual([
      "spec.config.aggregation.tools[0].hidden",
      "spec.config.futureFeature",
      "spec.config.telemetry.prometheusPort",
    ]);
    // A key of a later version is known to that version.
    expect(fitSpecConfig({ telemetry: { prometheusPort: 9464 } }, "v0.47.0").unknown).toEqual([]);
  });

  it("writes rateLimiting's refillPeriod the way the runtime's YAML decoder reads a Kubernetes duration", () => {
    const fitted = fitSpecConfig(
      {
        rateLimiting: {
          shared: { maxTokens: 5, refillPeriod: "1m" },
          tools: [{ name: "t", perUser: { maxTokens: 1, refillPeriod: "10s" } }],
        },
      },
      "v0.47.0",
    );
    expect(fitted.value.rateLimiting).toEqual({
      shared: { maxTokens: 5, refillPeriod: { duration: "1m" } },
      tools: [{ name: "t", perUser: { maxTokens: 1, refillPeriod: { duration: "10s" } } }],
    });
  });

  it("refuses values of the wrong kind, and leaves out the fields the spec renders itself", () => {
    const problems = specConfigProblems(
      { operational: { logLevel: ["debug"] }, aggregation: "prefix", name: "other", groupRef: "g" },
      "v0.47.0",
    );
    expect(problems.errors).toEqual([
      {
        path: "spec.config.operational.logLevel",
        message: "the vMCP runtime v0.47.0 takes a single value here",
      },
      {
        path: "spec.config.aggregation",
        message: "the vMCP runtime v0.47.0 takes a mapping of settings here",
      },
    ]);
    expect(problems.unknown).toEqual([]);
  });

  it("makes admission warn about an unknown key and deny a wrong kind", () => {
    const found = { group: "found" as const, authConfigs: new Map() };
    const unknown = decideValidation(review({ config: { futureFeature: 1 } }), found, {
      runtimeVersion: "v0.44.0",
    });
    expect(unknown).toMatchObject({ allowed: true });
    expect(unknown.warnings).toEqual([
      "spec.config.futureFeature: not a setting of the vMCP runtime v0.44.0; left out of its configuration (it would refuse to start)",
    ]);
    const wrong = decideValidation(review({ config: { aggregation: "prefix" } }), found, {});
    expect(wrong).toMatchObject({
      allowed: false,
      message: expect.stringContaining("spec.config.aggregation: the vMCP runtime"),
    });
  });

  it("makes admission deny a reference to an auth config no backend can use, naming the field", () => {
    const path = "spec.outgoingAuth.default.externalAuthConfigRef.name";
    const lookups = {
      group: "found" as const,
      authConfigs: new Map([[path, "found" as const]]),
      authConfigObjects: new Map([
        [
          path,
          {
            metadata: { name: "inject" },
            spec: { type: "upstreamInject", upstreamInject: { providerName: "gh" } },
          },
        ],
      ]),
    };
    const decision = decideValidation(
      review({
        outgoingAuth: {
          source: "inline",
          default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "inject" } },
        },
      }),
      lookups,
    );
    expect(decision).toMatchObject({ allowed: false });
    expect(decision.message).toBe(
      `${path}: MCPExternalAuthConfig "inject" of type upstreamInject needs the VirtualMCPServer's embedded authorization server; set spec.authServerConfig with the upstream provider it names`,
    );
  });
});
