// MCPToolConfig references: merged into the tool entry as ToolHive's operator merges them, never passed
// through (the runtime ignores the reference), and a missing one refuses the spec (fail closed).

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpToolConfig } from "../../../infra/local/test-kit/toolhive-objects.ts";

const review = (kind: string, object: unknown) =>
  AdmissionReview.parse(admissionReview(kind, object)).request;
const withTools = (tools: unknown[]) =>
  vmcp({ config: { aggregation: { conflictResolution: "prefix", tools } } });
const filterConfig = mcpToolConfig("filter", {
  namespace: "tools",
  spec: {
    toolsFilter: ["echo", "add"],
    toolsOverride: {
      echo: { name: "say", annotations: { readOnlyHint: true } },
      add: { description: "adds" },
    },
  },
});

function planOf(tools: unknown[], toolConfigs = [filterConfig]) {
  return planReconcile(snapshot({ vmcp: withTools(tools), toolConfigs }), {
    image: "example/vmcp:1",
    runtime: RUNTIME,
    now: NOW,
  });
}

const writtenTools = (plan: ReturnType<typeof planOf>) => {
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return parse(configMap.data["config.yaml"] ?? "").aggregation.tools;
};

describe("an MCPToolConfig named by a tool entry", () => {
  it("brings its filter and overrides into the entry, and the reference is gone", () => {
    const tools = writtenTools(planOf([{ workload: "github", toolConfigRef: { name: "filter" } }]));
    expect(tools).toEqual([
      {
        workload: "github",
        filter: ["echo", "add"],
        overrides: {
          echo: { name: "say", annotations: { readOnlyHint: true } },
          add: { description: "adds" },
        },
      },
    ]);
  });

  it("gives way to the entry's own filter whole, and to its own override of the same tool", () => {
    const tools = writtenTools(
      planOf([
        {
          workload: "github",
          filter: ["search"],
          overrides: { echo: { description: "mine" } },
          toolConfigRef: { name: "filter" },
        },
      ]),
    );
    expect(tools[0].filter).toEqual(["search"]);
    expect(tools[0].overrides).toEqual({ echo: { description: "mine" }, add: { description: "adds" } });
  });

  it("missing: Valid=False naming the field and the object, and nothing is deployed", () => {
    const plan = planOf([{ workload: "github", toolConfigRef: { name: "gone" } }], []);
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("blocked");
    const conditions = (plan.status?.conditions ?? []) as { type: string; status: string; message: string }[];
    const valid = conditions.find((c) => c.type === "Valid");
    expect(valid?.status).toBe("False");
    expect(valid?.message).toBe(
      'spec.config.aggregation.tools[0].toolConfigRef.name: MCPToolConfig "gone" not found in namespace "tools"; create it or fix the name',
    );
    expect(plan.status?.phase).toBe("Failed");
  });

  it("refuses an override the runtime would refuse, at the reference that brings it in", () => {
    const bare = mcpToolConfig("bare", {
      spec: { toolsOverride: { echo: { annotations: { title: "E" } } } },
    });
    const plan = planOf([{ workload: "github", toolConfigRef: { name: "bare" } }], [bare]);
    expect(plan.apply).toEqual([]);
    expect(JSON.stringify(plan.status)).toContain(
      'MCPToolConfig \\"bare\\" overrides \\"echo\\" with neither name nor description',
    );
  });
});

describe("the admission webhook on a tool entry's MCPToolConfig", () => {
  const request = review(
    "VirtualMCPServer",
    withTools([{ workload: "github", toolConfigRef: { name: "filter" } }]),
  );
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { toolConfigs: new Map([["filter", looked]]) },
  });

  it("admits a reference to one that exists", () => {
    expect(decideValidation(request, lookups({ found: "found", object: filterConfig })).allowed).toBe(true);
  });

  it("refuses a missing one with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.config.aggregation.tools[0].toolConfigRef.name: MCPToolConfig "filter" not found in namespace "tools"; create it or fix the name',
    );
  });

  it("refuses when it cannot ask, unless failing open", () => {
    const unreachable = lookups({ found: { error: "HTTP 503 Service Unavailable" } });
    expect(decideValidation(request, unreachable).message).toContain(
      'MCPToolConfig "filter" could not be verified (HTTP 503 Service Unavailable)',
    );
    const open = decideValidation(request, unreachable, { failOpen: true });
    expect(open.allowed).toBe(true);
    expect(open.warnings.join()).toContain("admitted unverified");
  });
});
