// Everyone writing at once: the vMCP runtime double reporting status, a human editing the children the
// way `kubectl edit` does (GET, change, PUT), and two reconciles running side by side (a queued reconcile
// and a resync can overlap). Nobody's update is lost, the functions never fail on a conflict, and a
// condition's lastTransitionTime moves only when its status flips.
import { Watch } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { type Kind, resourcePath } from "../../functions/core/kinds/resources.ts";
import { getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { markDeploymentAvailable, userApply } from "../../infra/local/test-kit/actors.ts";
import { type RuntimeBackend, runtimeReport } from "../../infra/local/test-kit/runtime-double.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { soakOr } from "../soak.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const DURATION_MS = soakOr(4_000, 60_000);
const NAME = "busy";
const IMAGE = "example/vmcp:v0.44.0";
const namespace = useNamespace("writers");
const kc = kubeConfig();
type Any = Record<string, any>;
type Condition = { type: string; status: string; lastTransitionTime: string };

const reconcile = () => reconcileOne(kc, namespace.name, NAME, { image: IMAGE });
const read = async (kind: Kind, name = NAME) => (await getObject(kc, kind, namespace.name, name)) as Any;

/** `kubectl edit`: read, change, write back whole with the read resourceVersion; true on a conflict. */
async function humanEdit(kind: Kind, name: string, change: (object: Any) => void): Promise<boolean> {
  const object = await read(kind, name);
  change(object);
  const response = await rawRequest(
    kc,
    `${resourcePath(kind, namespace.name, name)}?fieldManager=kubectl-edit`,
    {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(object),
    },
  );
  if (response.status === 409) return true;
  if (response.status !== 200)
    throw new Error(`edit of ${kind}/${name}: ${response.status} ${response.body}`);
  return false;
}

/** 409s the API server answered for this resource, from its own metrics. */
async function conflicts(resource: string): Promise<number> {
  const metrics = (await rawRequest(kc, "/metrics", { headers: { accept: "text/plain" } })).body;
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("apiserver_request_total{") && l.includes('code="409"'))
    .filter((l) => l.includes(`resource="${resource}"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

const versions: Any[] = [];
let stopWatch: (() => void) | undefined;
afterAll(() => stopWatch?.());

describe("concurrent writers", () => {
  it("lose no update, never fail a reconcile on a conflict, and never flap a condition", async () => {
    await userApply(kc, namespace.name, mcpGroup("tools"), virtualMCPServer(NAME, { group: "tools" }));
    await reconcile();
    await markDeploymentAvailable(kc, namespace.name, NAME);
    const desiredConfig = (await read("ConfigMap", `${NAME}-vmcp-config`)).data["config.yaml"];
    const watch = await new Watch(kc).watch(
      `/apis/toolhive.stacklok.dev/v1beta1/namespaces/${namespace.name}/virtualmcpservers`,
      { fieldSelector: `metadata.name=${NAME}` },
      (_type, object) => versions.push(object),
      () => undefined,
    );
    stopWatch = () => watch.abort();
    const conflictsBefore = await conflicts("virtualmcpservers");

    const until = Date.now() + DURATION_MS;
    const running = () => Date.now() < until;
    const failures: unknown[] = [];
    let reconciles = 0;
    const reconciler = async () => {
      while (running()) {
        await reconcile().then(
          () => (reconciles += 1),
          (error: unknown) => failures.push(error),
        );
      }
    };
    // The runtime's reports cycle through healthy and unhealthy backends, so Ready really flips.
    const cycle: RuntimeBackend["status"][][] = [
      ["ready", "ready"],
      ["ready", "degraded"],
      ["unavailable", "ready"],
    ];
    let lastReport: RuntimeBackend[] = [];
    let reports = 0;
    const runtime = async () => {
      while (running()) {
        const statuses = cycle[Math.floor(reports / 5) % cycle.length] ?? [];
        lastReport = statuses.map((status, i) => ({ name: `backend-${i}`, status }));
        await runtimeReport(kc, namespace.name, NAME, lastReport);
        reports += 1;
      }
    };
    let edits = 0;
    let editConflicts = 0;
    const lastEdit = { Deployment: "", ConfigMap: "" };
    const human = async () => {
      while (running()) {
        const mark = `edit-${edits + editConflicts}`;
        const [deploymentClashed, configClashed] = await Promise.all([
          humanEdit("Deployment", NAME, (d) => {
            d.metadata.annotations = { ...d.metadata.annotations, "example.com/edited-by": mark };
            d.spec.template.spec.containers[0].image = `human/${mark}`;
          }),
          humanEdit("ConfigMap", `${NAME}-vmcp-config`, (c) => {
            c.data = { ...c.data, "human-note": mark, "config.yaml": `# ${mark}` };
          }),
        ]);
        if (deploymentClashed) editConflicts += 1;
        else [edits, lastEdit.Deployment] = [edits + 1, mark];
        if (configClashed) editConflicts += 1;
        else [edits, lastEdit.ConfigMap] = [edits + 1, mark];
      }
    };
    await Promise.all([reconciler(), reconciler(), runtime(), human()]);
    const runtimeConflicts = (await conflicts("virtualmcpservers")) - conflictsBefore;
    console.log(
      `[writers] ${DURATION_MS} ms: ${reconciles} reconciles, ${reports} runtime reports (${runtimeConflicts} conflicts), ${edits} human edits (${editConflicts} conflicts)`,
    );
    expect(failures).toEqual([]);
    expect(reports).toBeGreaterThan(10);
    expect(edits).toBeGreaterThan(5);
    // Conflicts happen (that is the point), but fewer than one per successful write: no storm.
    expect(runtimeConflicts).toBeLessThan(reports + reconciles);

    // Settled: one reconcile restores what the functions own and keeps what the others wrote.
    await reconcile();
    const vmcp = await read("VirtualMCPServer");
    expect(vmcp.status.discoveredBackends.map((b: Any) => [b.name, b.status])).toEqual(
      lastReport.map((b) => [b.name, b.status]),
    );
    const deployment = await read("Deployment");
    expect(deployment.metadata.annotations["example.com/edited-by"]).toBe(lastEdit.Deployment);
    expect(deployment.spec.template.spec.containers[0].image).toBe(IMAGE);
    const configMap = await read("ConfigMap", `${NAME}-vmcp-config`);
    expect(configMap.data).toEqual({ "config.yaml": desiredConfig, "human-note": lastEdit.ConfigMap });
    expect((await reconcile()).written).toEqual([]);

    // Every version the API server stored: lastTransitionTime moved only with a status flip.
    watch.abort();
    // (A report that changes nothing stores no new version.)
    expect(versions.length).toBeGreaterThan(10);
    let transitions = 0;
    for (let i = 1; i < versions.length; i++) {
      const before = new Map<string, Condition>(
        (versions[i - 1]?.status?.conditions ?? []).map((c: Condition) => [c.type, c]),
      );
      for (const after of (versions[i]?.status?.conditions ?? []) as Condition[]) {
        const prior = before.get(after.type);
        if (!prior || prior.lastTransitionTime === after.lastTransitionTime) continue;
        expect(after.status, `${after.type} at version ${i}`).not.toBe(prior.status);
        transitions += 1;
      }
    }
    expect(transitions).toBeGreaterThan(0);
  }, 120_000);
});
