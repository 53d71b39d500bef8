// The deployed system end to end: kubectl → API server → admission Lambda (Function URL, HTTPS) → hint on
// the bus → router → FIFO queue → reconcile Lambda → children and status; and status writes by other
// controllers (members, the Deployment) reaching the VirtualMCPServer through hints, not the resync.
import { describe, expect, it } from "vitest";
import { RUNCONFIG_CHECKSUM } from "../../functions/core/kinds/names.ts";
import { getObject } from "../../functions/kube/api.ts";
import { markDeploymentAvailable, patchStatus } from "../../infra/local/test-kit/actors.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { kubeConfig, kubectl, useNamespace } from "../integration/cluster.ts";
import { functionLogs } from "./stack.ts";

const namespace = useNamespace("e2e");
type Status = {
  metadata: { generation: number };
  status?: {
    observedGeneration?: number;
    phase?: string;
    backendCount?: number;
    conditions?: { type: string; status: string }[];
  };
};
const vmcp = async () =>
  (await getObject(kubeConfig(), "VirtualMCPServer", namespace.name, "shop")) as Status;
const condition = (v: Status, type: string) => v.status?.conditions?.find((c) => c.type === type)?.status;

const manifests = `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPGroup
metadata: { name: shop-tools }
spec: {}
---
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata: { name: catalog }
spec: { image: example/catalog:1, transport: streamable-http, groupRef: { name: shop-tools } }
---
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: shop }
spec:
  groupRef: { name: shop-tools }
  incomingAuth: { type: anonymous }
  outgoingAuth: { source: inline }
`;

/** Reconcile log lines for this test's VirtualMCPServer. */
const reconciles = async () =>
  (await functionLogs("reconcile")).filter(
    (line) => line.message === "reconciled" && line.namespace === namespace.name && line.name === "shop",
  );

describe("the local stack, end to end", () => {
  it("kubectl apply gives children and status through admission, bus, queue and reconcile", async () => {
    const started = Date.now();
    const applied = kubectl(["apply", "-n", namespace.name, "-f", "-"], manifests);
    expect(applied.status, applied.stderr).toBe(0);
    const converged = await eventually(
      async () => {
        const kc = kubeConfig();
        const [deployment, service, configMap, current] = await Promise.all([
          getObject(kc, "Deployment", namespace.name, "shop"),
          getObject(kc, "Service", namespace.name, "vmcp-shop"),
          getObject(kc, "ConfigMap", namespace.name, "shop-vmcp-config"),
          vmcp(),
        ]);
        const done = deployment && service && configMap && current.status?.observedGeneration === 1;
        return done ? current : undefined;
      },
      { what: "children and status" },
    );
    console.log(`[aws] kubectl apply → children and status: ${Date.now() - started} ms`);
    expect(condition(converged, "Valid")).toBe("True");
    expect(condition(converged, "GroupRefValidated")).toBe("True");
    expect(converged.status?.phase).toBe("Pending");
    // The mutating webhook labelled it with its group, which the router's selectors rely on.
    const labels = kubectl([
      "get",
      "vmcp",
      "shop",
      "-n",
      namespace.name,
      "-o",
      "jsonpath={.metadata.labels}",
    ]);
    expect(JSON.parse(labels.stdout)).toMatchObject({ "toolhive.stacklok.dev/group": "shop-tools" });
    // It was the hint, not the schedule: the reconcile names its trigger.
    const lines = await eventually(
      async () => {
        const found = await reconciles();
        return found.length > 0 ? found : undefined;
      },
      { what: "the reconcile's log line" },
    );
    expect(String(lines[0]?.trigger)).toContain("hint");
  });

  it("a member's status and the Deployment's availability reach Ready through hints", async () => {
    const kc = kubeConfig();
    // ToolHive's MCPServer controller reports the member running: a status write, hinted by the webhook.
    await patchStatus(kc, "MCPServer", namespace.name, "catalog", {
      phase: "Running",
      url: "http://catalog.shop:8080",
    });
    await eventually(async () => (await vmcp()).status?.backendCount === 1, {
      what: "backendCount 1",
    });
    // The Deployment controller reports availability: hinted through deployments/status.
    const started = Date.now();
    await markDeploymentAvailable(kc, namespace.name, "shop");
    const ready = await eventually(
      async () => {
        const current = await vmcp();
        return condition(current, "Ready") === "True" ? current : undefined;
      },
      { what: "Ready" },
    );
    console.log(`[aws] Deployment available → Ready: ${Date.now() - started} ms`);
    expect(ready.status?.phase).toBe("Ready");
    const routed = await functionLogs("router");
    const kinds = routed
      .filter((line) => line.message === "hint routed" && line.namespace === namespace.name)
      .map((line) => line.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["MCPGroup", "MCPServer", "VirtualMCPServer", "Deployment"]),
    );
  });

  it("a change to an object the spec references (an MCPToolConfig) rolls the pod template through its hint", async () => {
    const kc = kubeConfig();
    const toolConfig = (tools: string[]) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPToolConfig
metadata: { name: shop-filter }
spec: { toolsFilter: ${JSON.stringify(tools)} }
`;
    const configOf = async () => {
      const [configMap, deployment] = (await Promise.all([
        getObject(kc, "ConfigMap", namespace.name, "shop-vmcp-config"),
        getObject(kc, "Deployment", namespace.name, "shop"),
      ])) as [
        { data: Record<string, string> } | undefined,
        { spec: { template: { metadata: { annotations: Record<string, string> } } } } | undefined,
      ];
      return {
        yaml: configMap?.data["config.yaml"] ?? "",
        checksum: deployment?.spec.template.metadata.annotations[RUNCONFIG_CHECKSUM],
      };
    };
    expect(kubectl(["apply", "-n", namespace.name, "-f", "-"], toolConfig(["echo"])).status).toBe(0);
    const patched = kubectl([
      "patch",
      "virtualmcpserver",
      "shop",
      "-n",
      namespace.name,
      "--type=merge",
      "-p",
      JSON.stringify({
        spec: {
          config: {
            aggregation: { tools: [{ workload: "catalog", toolConfigRef: { name: "shop-filter" } }] },
          },
        },
      }),
    ]);
    expect(patched.status, patched.stderr).toBe(0);
    const before = await eventually(
      async () => {
        const config = await configOf();
        return config.yaml.includes("- echo") ? config : undefined;
      },
      { what: "the MCPToolConfig's filter in config.yaml" },
    );
    const started = Date.now();
    expect(kubectl(["apply", "-n", namespace.name, "-f", "-"], toolConfig(["echo", "add"])).status).toBe(0);
    const after = await eventually(
      async () => {
        const config = await configOf();
        return config.yaml.includes("- add") ? config : undefined;
      },
      { what: "the changed filter in config.yaml" },
    );
    console.log(`[aws] MCPToolConfig change → config and pod template: ${Date.now() - started} ms`);
    expect(after.checksum).not.toBe(before.checksum);
    const routed = await functionLogs("router");
    expect(
      routed.some(
        (line) =>
          line.message === "hint routed" &&
          line.namespace === namespace.name &&
          line.kind === "MCPToolConfig" &&
          JSON.stringify(line.queued) === JSON.stringify(["shop"]),
      ),
    ).toBe(true);
  });

  it("a child deleted by hand, with no hint, is restored by the scheduled resync", async () => {
    const kc = kubeConfig();
    const before = (await getObject(kc, "ConfigMap", namespace.name, "shop-vmcp-config")) as {
      metadata: { uid: string };
    };
    const deleted = kubectl(["delete", "configmap", "shop-vmcp-config", "-n", namespace.name]);
    expect(deleted.status, deleted.stderr).toBe(0);
    const restored = await eventually(
      async () =>
        (await getObject(kc, "ConfigMap", namespace.name, "shop-vmcp-config")) as
          | { metadata: { uid: string } }
          | undefined,
      { what: "the ConfigMap back", timeout: 100_000, interval: 1_000 },
    );
    expect(restored.metadata.uid).not.toBe(before.metadata.uid);
    // The resync restores the child during its run; the emulator ships its log only after the run ends.
    const resyncs = await eventually(
      async () => {
        const done = (await functionLogs("resync")).filter((line) => line.message === "resync done");
        return done.length > 0 ? done : undefined;
      },
      { what: "the resync's log", timeout: 30_000, interval: 500 },
    );
    expect(Number(resyncs.at(-1)?.objects)).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
