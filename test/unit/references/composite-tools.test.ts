// VirtualMCPCompositeToolDefinition references: each definition's spec appended to the runtime's
// compositeTools after the inline ones, as ToolHive's operator does; the references never reach the runtime
// (it ignores them); a missing, invalid or clashing definition refuses the spec, naming the fields.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation, type Looked } from "../../../functions/core/admission/validate.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { compositeToolDefinition } from "../../../infra/local/test-kit/toolhive-objects.ts";

interface Written {
  readonly plan: ReturnType<typeof planReconcile>;
  readonly config: Record<string, unknown> | undefined;
}
type Conditions = { type: string; status: string; reason: string; message: string }[];

const review = (kind: string, object: unknown) =>
  AdmissionReview.parse(admissionReview(kind, object)).request;
const inline = { name: "inline_tool", description: "Inline", steps: [{ id: "s", tool: "echo" }] };
const deploy = compositeToolDefinition("deploy");
const report = compositeToolDefinition("report");

const withRefs = (refs: unknown[], compositeTools?: unknown[]) =>
  vmcp({ config: { compositeToolRefs: refs, ...(compositeTools ? { compositeTools } : {}) } });

function planOf(spec: ReturnType<typeof vmcp>, definitions = [deploy, report]): Written {
  const plan = planReconcile(snapshot({ vmcp: spec, compositeToolDefinitions: definitions }), {
    image: "example/vmcp:1",
    runtime: RUNTIME,
    now: NOW,
  });
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as
    | { data: Record<string, string> }
    | undefined;
  return { plan, config: configMap ? parse(configMap.data["config.yaml"] ?? "") : undefined };
}

const conditionOf = (plan: Written["plan"], type: string) =>
  ((plan.status?.conditions ?? []) as Conditions).find((c) => c.type === type);

function expectRefused(written: Written, reason: string, message: string) {
  expect(written.plan.apply).toEqual([]);
  expect(written.plan.outcome).toBe("blocked");
  expect(conditionOf(written.plan, "Valid")).toMatchObject({ status: "False", message });
  expect(conditionOf(written.plan, "CompositeToolRefsValidated")).toMatchObject({
    status: "False",
    reason,
    message,
  });
}

describe("VirtualMCPCompositeToolDefinitions named by spec.config.compositeToolRefs", () => {
  it("appends their specs after the inline tools, in reference order, and the references are gone", () => {
    const { plan, config } = planOf(withRefs([{ name: "report" }, { name: "deploy" }], [inline]));
    expect(config?.compositeTools).toEqual([inline, report.spec, deploy.spec]);
    expect(config).not.toHaveProperty("compositeToolRefs");
    expect(conditionOf(plan, "CompositeToolRefsValidated")).toMatchObject({
      status: "True",
      reason: "CompositeToolRefsValid",
      message: "All 2 composite tool references are valid",
    });
  });

  it("leaves out keys the runtime does not know, as for spec.config", () => {
    const extra = compositeToolDefinition("extra", {
      spec: {
        failureMode: "abort",
        steps: [{ id: "a", tool: "fetch", onError: { action: "abort", maxRetries: 2, retryDelay: "5s" } }],
      },
    });
    const { config } = planOf(withRefs([{ name: "extra" }]), [extra]);
    expect(config?.compositeTools).toEqual([
      {
        name: "extra",
        description: "The extra workflow",
        steps: [{ id: "a", tool: "fetch", onError: { action: "abort", retryDelay: "5s" } }],
      },
    ]);
  });

  it("without references: no condition, and compositeTools as the spec writes it", () => {
    const { plan, config } = planOf(vmcp({ config: { compositeTools: [inline] } }));
    expect(config?.compositeTools).toEqual([inline]);
    expect(conditionOf(plan, "CompositeToolRefsValidated")).toBeUndefined();
  });

  it("missing: Valid=False naming the field and the object, and nothing is deployed", () => {
    const message =
      'spec.config.compositeToolRefs[1].name: VirtualMCPCompositeToolDefinition "gone" not found in namespace "tools"; create it or fix the name';
    expectRefused(
      planOf(withRefs([{ name: "deploy" }, { name: "gone" }])),
      "CompositeToolRefNotFound",
      message,
    );
    expect(planOf(withRefs([{ name: "gone" }]), []).plan.status?.phase).toBe("Failed");
  });

  it("refuses a definition the runtime would refuse, at the reference, by the inline tools' rules", () => {
    const broken = compositeToolDefinition("broken", {
      spec: {
        description: undefined,
        steps: [
          { id: "a", tool: "x" },
          { id: "a", tool: "y" },
        ],
      },
    });
    expectRefused(
      planOf(withRefs([{ name: "broken" }]), [broken]),
      "CompositeToolRefInvalid",
      [
        'spec.config.compositeToolRefs[0].name: VirtualMCPCompositeToolDefinition "broken" is invalid: spec.description: required; clients see it; fix its spec',
        'spec.config.compositeToolRefs[0].name: VirtualMCPCompositeToolDefinition "broken" is invalid: spec.steps[1].id: "a" is used by an earlier step; fix its spec',
      ].join("; "),
    );
  });

  it("refuses a definition without a name, or with a value of the wrong kind", () => {
    const nameless = compositeToolDefinition("nameless", { spec: { name: undefined, timeout: { m: 3 } } });
    const { plan } = planOf(withRefs([{ name: "nameless" }]), [nameless]);
    const message = conditionOf(plan, "Valid")?.message;
    expect(message).toContain("spec.name: required; the name clients call the composite tool by");
    expect(message).toContain(`spec.timeout: the vMCP runtime ${RUNTIME.version} takes a single value here`);
  });

  it("refuses a name an inline tool already has, naming both fields", () => {
    const clash = compositeToolDefinition("clash", { spec: { name: "inline_tool" } });
    expectRefused(
      planOf(withRefs([{ name: "clash" }], [inline]), [clash]),
      "CompositeToolRefInvalid",
      'spec.config.compositeToolRefs[0].name: VirtualMCPCompositeToolDefinition "clash" defines composite tool "inline_tool", as spec.config.compositeTools[0].name already does; composite tool names must be unique, so rename one',
    );
  });

  it("refuses a name another referenced definition already has, naming both references", () => {
    const twin = compositeToolDefinition("twin", { spec: { name: "deploy" } });
    expectRefused(
      planOf(withRefs([{ name: "deploy" }, { name: "twin" }]), [deploy, twin]),
      "CompositeToolRefInvalid",
      'spec.config.compositeToolRefs[1].name: VirtualMCPCompositeToolDefinition "twin" defines composite tool "deploy", as spec.config.compositeToolRefs[0].name already does; composite tool names must be unique, so rename one',
    );
  });

  it("refuses the same definition referenced twice", () => {
    expectRefused(
      planOf(withRefs([{ name: "deploy" }, { name: "deploy" }])),
      "CompositeToolRefInvalid",
      'spec.config.compositeToolRefs[1].name: VirtualMCPCompositeToolDefinition "deploy" is already referenced by spec.config.compositeToolRefs[0].name; remove one of them',
    );
  });

  it("refuses a reference without a name, or one no object can have, before looking anything up", () => {
    const { plan } = planOf(withRefs([{}, { name: "Not/AName" }]));
    expect(plan.outcome).toBe("invalid");
    const message = conditionOf(plan, "Valid")?.message ?? "";
    expect(message).toContain(
      "spec.config.compositeToolRefs[0].name: required; name a VirtualMCPCompositeToolDefinition in the same namespace",
    );
    expect(message).toContain(
      'spec.config.compositeToolRefs[1].name: "Not/AName" cannot be the name of any VirtualMCPCompositeToolDefinition',
    );
  });
});

describe("the admission webhook on compositeToolRefs", () => {
  const request = review("VirtualMCPServer", withRefs([{ name: "deploy" }], [inline]));
  const lookups = (looked: Looked) => ({
    group: "found" as const,
    authConfigs: new Map(),
    referenced: { toolConfigs: new Map(), compositeToolDefinitions: new Map([["deploy", looked]]) },
  });

  it("admits a reference to a valid definition", () => {
    expect(decideValidation(request, lookups({ found: "found", object: deploy })).allowed).toBe(true);
  });

  it("refuses a missing one with the reconcile's words", () => {
    expect(decideValidation(request, lookups({ found: "missing" })).message).toBe(
      'spec.config.compositeToolRefs[0].name: VirtualMCPCompositeToolDefinition "deploy" not found in namespace "tools"; create it or fix the name',
    );
  });

  it("refuses an invalid or clashing one as the reconcile would", () => {
    const refused = (spec: Record<string, unknown>) => {
      const object = compositeToolDefinition("deploy", { spec });
      return decideValidation(request, lookups({ found: "found", object })).message;
    };
    expect(refused({ steps: [] })).toContain("spec.steps: at least one step is required");
    expect(refused({ name: "inline_tool" })).toContain(
      'defines composite tool "inline_tool", as spec.config.compositeTools[0].name already does',
    );
  });

  it("refuses when it cannot ask, unless failing open", () => {
    const unreachable = lookups({ found: { error: "HTTP 503 Service Unavailable" } });
    expect(decideValidation(request, unreachable).message).toContain(
      'VirtualMCPCompositeToolDefinition "deploy" could not be verified (HTTP 503 Service Unavailable)',
    );
    const open = decideValidation(request, unreachable, { failOpen: true });
    expect(open.allowed).toBe(true);
    expect(open.warnings.join()).toContain("admitted unverified");
  });
});
