// Authorization by reference against the real API server. From a ConfigMap: the policies reach the runtime's
// configuration, a change to them reaches it through the resync (which GETs the ConfigMaps named instead
// of listing them all), and a deleted ConfigMap is reported as upstream reports it, the running children
// left as they were. From an MCPAuthzConfig: the policies written, AuthzConfigRefValidated and
// status.authzConfigHash stored through the CRD's status schema.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RUNCONFIG_CHECKSUM } from "../../functions/core/kinds/names.ts";
import { deleteObject, getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { resyncAll } from "../../functions/resync/resync-all.ts";
import { countRequests, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  cedarAuthzJson,
  configMap,
  mcpAuthzConfig,
  mcpGroup,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("authz");
const kc = () => kubeConfig();
const IMAGE = "example/vmcp:v0.47.0";
type Any = Record<string, any>;
const get = async (kind: Parameters<typeof getObject>[1], name: string) =>
  (await getObject(kc(), kind, namespace.name, name)) as Any;
const CALL = 'permit(principal, action == Action::"tools/call", resource);';
const READ = 'permit(principal, action == Action::"resources/read", resource);';
const policies = (...cedar: string[]) => configMap("team-authz", { "authz.json": cedarAuthzJson(cedar) });
const writtenAuthz = async () =>
  parse((await get("ConfigMap", "authz-vmcp-vmcp-config")).data["config.yaml"]).incomingAuth.authz;
const condition = async (type: string) =>
  ((await get("VirtualMCPServer", "authz-vmcp")).status.conditions as Any[]).find((c) => c.type === type);

describe("authorization policies from a ConfigMap", () => {
  it("are written into the runtime's configuration", async () => {
    await userApply(kc(), namespace.name, mcpGroup("authz-group"), policies(CALL));
    await userApply(
      kc(),
      namespace.name,
      virtualMCPServer("authz-vmcp", {
        group: "authz-group",
        spec: {
          incomingAuth: {
            type: "anonymous",
            authzConfig: { type: "configMap", configMap: { name: "team-authz", key: "authz.json" } },
          },
        },
      }),
    );
    const result = await reconcileOne(kc(), namespace.name, "authz-vmcp", { image: IMAGE });
    expect(result).toMatchObject({ outcome: "ok", statusWritten: true });
    expect(await writtenAuthz()).toEqual({ type: "cedar", policies: [CALL] });
    expect(await condition("AuthConfigured")).toMatchObject({ status: "True", reason: "AuthValid" });
  });

  it("changed, reach the configuration and roll the pod at the next resync, read by name", async () => {
    const before = (await get("Deployment", "authz-vmcp")).spec.template.metadata.annotations[
      RUNCONFIG_CHECKSUM
    ];
    await userApply(kc(), namespace.name, policies(CALL, READ));
    const summary = await resyncAll(kc(), { image: IMAGE, namespace: namespace.name });
    expect(summary).toMatchObject({ objects: 1, failed: 0 });
    expect(await writtenAuthz()).toEqual({ type: "cedar", policies: [CALL, READ] });
    const after = (await get("Deployment", "authz-vmcp")).spec.template.metadata.annotations[
      RUNCONFIG_CHECKSUM
    ];
    expect(after).not.toBe(before);
    // Converged: the resync reads the ConfigMap named (one GET) and writes nothing.
    const again = await countRequests(kc(), () =>
      resyncAll(kc(), { image: IMAGE, namespace: namespace.name }),
    );
    expect(again.writes).toBe(0);
  });

  it("deleted: AuthConfigured=False AuthzConfigMapNotFound, Valid=False, the children left running", async () => {
    await deleteObject(kc(), "ConfigMap", namespace.name, "team-authz");
    const result = await reconcileOne(kc(), namespace.name, "authz-vmcp", { image: IMAGE });
    expect(result.outcome).toBe("blocked");
    expect(await condition("AuthConfigured")).toMatchObject({
      status: "False",
      reason: "AuthzConfigMapNotFound",
    });
    expect((await condition("Valid"))?.message).toBe(
      `spec.incomingAuth.authzConfig.configMap.name: ConfigMap "team-authz" not found in namespace "${namespace.name}"; create it or fix the name`,
    );
    // Fail stale, as upstream: the last policies keep being enforced while the spec is refused.
    expect(await writtenAuthz()).toEqual({ type: "cedar", policies: [CALL, READ] });
  });
});

describe("authorization policies from an MCPAuthzConfig", () => {
  it("are written into the runtime's configuration, with AuthzConfigRefValidated and status.authzConfigHash", async () => {
    await userApply(
      kc(),
      namespace.name,
      mcpAuthzConfig("shared", {
        spec: { type: "cedarv1", config: { policies: [CALL], group_claim_name: "groups" } },
      }),
      virtualMCPServer("ref-vmcp", {
        group: "authz-group",
        spec: { incomingAuth: { type: "anonymous", authzConfigRef: { name: "shared" } } },
      }),
    );
    const result = await reconcileOne(kc(), namespace.name, "ref-vmcp", { image: IMAGE });
    expect(result).toMatchObject({ outcome: "ok", statusWritten: true });
    const config = parse((await get("ConfigMap", "ref-vmcp-vmcp-config")).data["config.yaml"]);
    expect(config.incomingAuth.authz).toEqual({ type: "cedar", policies: [CALL], groupClaimName: "groups" });
    const status = (await get("VirtualMCPServer", "ref-vmcp")).status;
    expect(status.authzConfigHash).toMatch(/^[0-9a-f]{64}$/);
    expect((status.conditions as Any[]).find((c) => c.type === "AuthzConfigRefValidated")).toMatchObject({
      status: "True",
      reason: "AuthzConfigRefValid",
    });
  });
});
