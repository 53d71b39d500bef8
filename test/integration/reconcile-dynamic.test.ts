// Dynamic mode with a double of the vMCP runtime writing status the way upstream's reporter does: the
// functions never change what the runtime owns, mirror its report, and speak for it only when it cannot.
import { describe, expect, it } from "vitest";
import type { ManagedFieldsEntry } from "../../functions/core/kinds/kubernetes.ts";
import { FIELD_MANAGER } from "../../functions/core/kinds/names.ts";
import { statusPathsOf } from "../../functions/core/reconcile/drift.ts";
import {
  RUNTIME_CONDITIONS,
  RUNTIME_STATUS_FIELDS as RUNTIME_FIELDS,
} from "../../functions/core/reconcile/status-handover.ts";
import { getObject } from "../../functions/kube/api.ts";

import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { countRequests, markDeploymentAvailable, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  RUNTIME_MANAGER,
  type RuntimeBackend,
  runtimeReport,
} from "../../infra/local/test-kit/runtime-double.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("dynamic");
const kc = () => kubeConfig();
const NAME = "dynamic-vmcp";
const reconcile = () => reconcileOne(kc(), namespace.name, NAME, { image: "example/vmcp:v0.44.0" });
type Any = Record<string, any>;
const read = async () => (await getObject(kc(), "VirtualMCPServer", namespace.name, NAME)) as Any;
const condition = (object: Any, type: string) =>
  (object.status.conditions as Any[]).find((c) => c.type === type);

const RUNTIME_PATHS: string[] = [...RUNTIME_FIELDS, ...RUNTIME_CONDITIONS.map((t) => `conditions/${t}`)];

/** The runtime-owned part of status, and for each of its paths the managers that own it. */
function runtimeOwned(object: Any) {
  const values = Object.fromEntries(RUNTIME_FIELDS.map((f) => [f, object.status?.[f]]));
  const conditions = (object.status?.conditions ?? []).filter((c: Any) =>
    RUNTIME_CONDITIONS.includes(c.type),
  );
  const owners: Record<string, string[]> = {};
  for (const entry of (object.metadata.managedFields as ManagedFieldsEntry[]).filter(
    (e) => e.subresource === "status",
  )) {
    for (const path of statusPathsOf(entry)) {
      if (RUNTIME_PATHS.includes(path)) owners[path] = [...(owners[path] ?? []), `${entry.manager}`];
    }
  }
  return { values, conditions, owners };
}

describe("dynamic mode", () => {
  it("creates the children with the status identity and leaves backends to the runtime", async () => {
    await userApply(
      kc(),
      namespace.name,
      mcpGroup("dyn-group"),
      virtualMCPServer(NAME, { group: "dyn-group" }),
    );
    const first = await reconcile();
    expect(first).toMatchObject({ mode: "dynamic", outcome: "ok" });
    const object = await read();
    expect(object.status.discoveredBackends).toBeUndefined();
    expect(object.status.backendCount).toBeUndefined();
    expect(condition(object, "BackendsDiscovered")).toBeUndefined();
    // The Deployment is not available: the functions say so through the fallback.
    expect(object.status.phase).toBe("Pending");
    expect(condition(object, "Ready")).toMatchObject({ status: "False", reason: "DeploymentNotReady" });
    expect(condition(object, "RuntimeStatusReported")).toMatchObject({ status: "False", reason: "NoReport" });
    const env = ((await getObject(kc(), "Deployment", namespace.name, NAME)) as Any).spec.template.spec
      .containers[0].env;
    expect(env.slice(0, 2)).toEqual([
      { name: "VMCP_NAME", value: NAME },
      { name: "VMCP_NAMESPACE", value: namespace.name },
    ]);
  });

  it("over 50 interleaved rounds never changes a runtime-owned field, and mirrors every report", async () => {
    await markDeploymentAvailable(kc(), namespace.name, NAME);
    const statuses: RuntimeBackend["status"][] = [
      "ready",
      "degraded",
      "unavailable",
      "unauthenticated",
      "unknown",
    ];
    for (let round = 0; round < 50; round++) {
      const backends: RuntimeBackend[] = Array.from({ length: 1 + (round % 3) }, (_, i) => ({
        name: `backend-${i}`,
        status: statuses[(round + i) % statuses.length] as RuntimeBackend["status"],
      }));
      await runtimeReport(kc(), namespace.name, NAME, backends);
      const before = runtimeOwned(await read());
      const result = await reconcile();
      const after = await read();
      expect(runtimeOwned(after), `round ${round}`).toEqual(before);
      // The main field manager never holds a runtime field; the runtime holds all it wrote.
      for (const [path, managers] of Object.entries(runtimeOwned(after).owners)) {
        expect(managers, `round ${round}: ${path}`).not.toContain(FIELD_MANAGER);
        expect(managers, `round ${round}: ${path}`).toContain(RUNTIME_MANAGER);
      }
      const routable = backends.filter((b) => b.status === "ready" || b.status === "unauthenticated").length;
      expect(condition(after, "RuntimeStatusReported"), `round ${round}`).toMatchObject({
        status: "True",
        reason: "ReportFresh",
        message: `vMCP runtime reports ${routable}/${backends.length} backends routable`,
      });
      if (round > 0 && result.statusWritten) expect(result.written).toEqual(["VirtualMCPServer"]);
    }
  });

  it("makes zero writes when neither the runtime nor anything else changed", async () => {
    await reconcile();
    expect((await countRequests(kc(), reconcile)).writes).toBe(0);
  });

  it("leaves phase and Ready to a runtime that reports, whatever the Deployment says (no two writers)", async () => {
    await runtimeReport(kc(), namespace.name, NAME, [{ name: "backend-0", status: "ready" }]);
    await markDeploymentAvailable(kc(), namespace.name, NAME, false);
    const before = runtimeOwned(await read());
    await reconcile();
    const object = await read();
    // The Deployment's state is said where the functions own it; the runtime's fields stay its own.
    expect(condition(object, "DeploymentAvailable")).toMatchObject({ status: "False" });
    expect(runtimeOwned(object)).toEqual(before);
    expect(object.status.phase).toBe("Ready");
    expect(condition(object, "Ready")).toMatchObject({ status: "True", reason: "AllBackendsRoutable" });
    for (const path of ["phase", "message", "conditions/Ready"])
      expect(runtimeOwned(object).owners[path]).toContain(RUNTIME_MANAGER);
    await markDeploymentAvailable(kc(), namespace.name, NAME);
    await reconcile();
  });

  it("reports a stale runtime: the report is older than three reporting intervals", async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    await runtimeReport(kc(), namespace.name, NAME, [{ name: "backend-0", status: "ready" }], old);
    // The double's write time is now, so look at the report from the future instead of waiting.
    const result = await reconcileOne(kc(), namespace.name, NAME, {
      image: "example/vmcp:v0.44.0",
      now: () => new Date(Date.now() + 5 * 60_000),
    });
    expect(result.statusWritten).toBe(true);
    const object = await read();
    expect(condition(object, "RuntimeStatusReported")).toMatchObject({
      status: "False",
      reason: "ReportStale",
    });
    expect(condition(object, "Ready")).toMatchObject({ status: "Unknown", reason: "StatusReportStale" });
  });
});
