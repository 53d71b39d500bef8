// EmbeddingServer references: the optimizer's embedding URL once ToolHive's controller reports the server
// Ready, waited for until then, and refused when it is missing or failed.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Tree } from "../../../functions/core/kinds/json-tree.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { embeddingServer } from "../../../infra/local/test-kit/toolhive-objects.ts";

const URL = "http://embed.tools.svc.cluster.local:8080";
const ready = embeddingServer("embed", { status: { phase: "Ready", readyReplicas: 1, url: URL } });

function planOf(spec: Tree, servers = [ready]) {
  return planReconcile(
    snapshot({ vmcp: vmcp({ embeddingServerRef: { name: "embed" }, ...spec }), embeddingServer: servers }),
    { image: "example/vmcp:1", runtime: RUNTIME, now: NOW },
  );
}
const optimizerOf = (plan: ReturnType<typeof planOf>) => {
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return parse(configMap.data["config.yaml"] ?? "").optimizer;
};
const condition = (plan: ReturnType<typeof planOf>) =>
  ((plan.status?.conditions ?? []) as { type: string; status: string; reason: string }[]).find(
    (c) => c.type === "EmbeddingServerReady",
  );

describe("an EmbeddingServer named by spec.embeddingServerRef", () => {
  it("turns the optimizer on with its URL when the spec has no optimizer, as upstream does", () => {
    const plan = planOf({});
    expect(optimizerOf(plan)).toEqual({ embeddingService: URL });
    expect(condition(plan)).toMatchObject({ status: "True", reason: "EmbeddingServerReady" });
  });

  it("keeps the spec's optimizer settings, its URL replacing one written by hand", () => {
    const plan = planOf({ config: { optimizer: { embeddingService: "http://old", maxToolsToReturn: 5 } } });
    expect(optimizerOf(plan)).toMatchObject({ embeddingService: URL });
  });

  it("not ready yet: nothing deployed, the spec still valid, Pending until it is", () => {
    const starting = embeddingServer("embed", { status: { phase: "Pending" } });
    const plan = planOf({}, [starting]);
    expect(plan.apply).toEqual([]);
    expect(plan.status).toMatchObject({
      phase: "Pending",
      message: "Waiting for EmbeddingServer to become ready",
    });
    expect(condition(plan)).toMatchObject({ status: "False", reason: "EmbeddingServerNotReady" });
    const valid = ((plan.status?.conditions ?? []) as { type: string; status: string }[]).find(
      (c) => c.type === "Valid",
    );
    expect(valid?.status).toBe("True");
  });

  it("missing or failed: Valid=False naming the field, nothing deployed", () => {
    const missing = planOf({}, []);
    expect(missing.apply).toEqual([]);
    expect(missing.status?.message).toBe(
      'Invalid spec: spec.embeddingServerRef.name: EmbeddingServer "embed" not found in namespace "tools"; create it or fix the name',
    );
    expect(condition(missing)).toMatchObject({ status: "False", reason: "EmbeddingServerNotFound" });
    const failed = planOf({}, [embeddingServer("embed", { status: { phase: "Failed" } })]);
    expect(failed.apply).toEqual([]);
    expect(failed.status?.message).toContain('EmbeddingServer "embed" has failed');
  });

  it("an optimizer with no embedding source at all is refused, as upstream refuses it", () => {
    const plan = planReconcile(snapshot({ vmcp: vmcp({ config: { optimizer: {} } }) }), {
      image: "example/vmcp:1",
      runtime: RUNTIME,
      now: NOW,
    });
    expect(plan.outcome).toBe("invalid");
    expect(plan.status?.message).toContain("spec.config.optimizer: needs an embedding service");
  });
});
