// Switching a VirtualMCPServer between dynamic and static converges in one reconcile each way: RBAC,
// env, ConfigMap and who owns the backend part of status.
import { describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../functions/core/kinds/names.ts";
import { ownedStatusPaths } from "../../functions/core/reconcile/drift.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import {
  countRequests,
  markDeploymentAvailable,
  patchStatus,
  userApply,
} from "../../infra/local/test-kit/actors.ts";
import { runtimeReport } from "../../infra/local/test-kit/runtime-double.ts";
import { mcpGroup, mcpServer, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("switch");
const kc = () => kubeConfig();
const NAME = "switcher";
type Any = Record<string, any>;
const get = async (kind: Parameters<typeof getObject>[1], name = NAME) =>
  (await getObject(kc(), kind, namespace.name, name)) as Any;
/** Status paths whose owner changes with the mode: the functions' in static mode, the runtime's in dynamic. */
const HANDED_OVER = [
  "discoveredBackends",
  "backendCount",
  "phase",
  "message",
  "conditions/Ready",
  "conditions/BackendsDiscovered",
];
const reconcile = () => reconcileOne(kc(), namespace.name, NAME, { image: "example/vmcp:v0.44.0" });
const setMode = (source: "inline" | "discovered") =>
  userApply(
    kc(),
    namespace.name,
    virtualMCPServer(NAME, { group: "switch-group", spec: { outgoingAuth: { source } } }),
  );

describe("mode switches", () => {
  it("dynamic → static: the Role goes, the identity env goes, backends appear and the functions own them", async () => {
    await userApply(
      kc(),
      namespace.name,
      mcpGroup("switch-group"),
      mcpServer("alpha", { group: "switch-group" }),
    );
    await patchStatus(kc(), "MCPServer", namespace.name, "alpha", {
      phase: "Running",
      url: "http://alpha:8080/mcp",
    });
    await setMode("discovered");
    await reconcile();
    await markDeploymentAvailable(kc(), namespace.name, NAME);
    await runtimeReport(kc(), namespace.name, NAME, [{ name: "alpha", status: "ready" }]);
    await reconcile();
    expect(await get("Role", `${NAME}-vmcp`)).toBeDefined();

    await setMode("inline");
    const result = await reconcile();
    expect(result.mode).toBe("static");
    expect(await get("Role", `${NAME}-vmcp`)).toBeUndefined();
    expect(await get("RoleBinding", `${NAME}-vmcp`)).toBeUndefined();
    expect(await get("RoleBinding", `${NAME}-vmcp-discovery`)).toBeUndefined();
    const pod = (await get("Deployment")).spec.template.spec;
    expect(pod.containers[0].env.map((e: Any) => e.name)).not.toContain("VMCP_NAME");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect((await get("ConfigMap", `${NAME}-vmcp-config`)).data["config.yaml"]).toContain("name: alpha");
    const vmcp = await get("VirtualMCPServer");
    const owned = ownedStatusPaths(vmcp.metadata.managedFields, FIELD_MANAGER);
    for (const path of HANDED_OVER) {
      expect(owned.has(path), path).toBe(true);
    }
    expect(vmcp.status.discoveredBackends.map((b: Any) => b.name)).toEqual(["alpha"]);

    expect((await countRequests(kc(), reconcile)).writes).toBe(0);
  });

  it("static → dynamic: RBAC and identity come back, backends leave the ConfigMap and the functions let go of them", async () => {
    await setMode("discovered");
    const result = await reconcile();
    expect(result.mode).toBe("dynamic");
    expect((await get("Role", `${NAME}-vmcp`)).rules.length).toBeGreaterThan(0);
    expect((await get("Deployment")).spec.template.spec.containers[0].env[0]).toEqual({
      name: "VMCP_NAME",
      value: NAME,
    });
    expect((await get("ConfigMap", `${NAME}-vmcp-config`)).data["config.yaml"]).not.toContain("backends:");
    const vmcp = await get("VirtualMCPServer");
    const owned = ownedStatusPaths(vmcp.metadata.managedFields, FIELD_MANAGER);
    for (const path of HANDED_OVER) {
      expect(owned.has(path), path).toBe(false);
    }
    // Nothing of the static era is left behind: the functions owned it alone, so it is gone.
    expect(vmcp.status.discoveredBackends).toBeUndefined();
    expect(vmcp.status.backendCount).toBeUndefined();
    await markDeploymentAvailable(kc(), namespace.name, NAME);
    await runtimeReport(kc(), namespace.name, NAME, [{ name: "alpha", status: "ready" }]);
    await reconcile();
    expect((await get("VirtualMCPServer")).status).toMatchObject({ phase: "Ready", backendCount: 1 });
    expect((await countRequests(kc(), reconcile)).writes).toBe(0);
  });
});
