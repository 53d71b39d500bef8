// Dynamic mode end to end, per supported runtime version: ToolHive's vMCP runtime runs as the
// ServiceAccount the functions made, discovers the group (an MCPServer with auth, an MCPRemoteProxy, an
// MCPServerEntry behind TLS of a private CA, trusted through its CA bundle), serves their tools and reports
// status; the functions mirror it. Through a first
// rollout, minutes of resyncs and hinted reconciles with a member added and removed and the runtime
// restarted, and a steady state, every stored version of the object is watched: no status field flips
// between writers, the functions write nothing in steady state, and the runtime is never refused.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIELD_MANAGERS } from "../../functions/core/kinds/names.ts";
import {
  DEFAULT_RUNTIME_VERSION,
  runtimeProfile,
  SUPPORTED_VERSIONS,
  VMCP_IMAGE_REPOSITORY,
} from "../../functions/core/runtime/versions.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { resyncAll } from "../../functions/resync/resync-all.ts";
import { servingCertificate } from "../../infra/local/aws-stack/certificates.ts";
import { markDeploymentAvailable, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { runtimeReport } from "../../infra/local/test-kit/runtime-double.ts";
import {
  headerInjection,
  mcpExternalAuthConfig,
  mcpGroup,
  mcpRemoteProxy,
  mcpServer,
  mcpServerEntry,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { permissionsOf } from "../integration/can-i.ts";
import { kubeConfig, kubectl, useNamespace } from "../integration/cluster.ts";
import { applyFunctionsRbac, functionsKubeConfig } from "../integration/functions-identity.ts";
import { auditTrail } from "./audit-trail.ts";
import { type Backend, startBackend } from "./mcp-backends.ts";
import { connect } from "./mcp-client.ts";
import { flippingFields, type History, watchHistory } from "./object-history.ts";
import { type RunningRuntime, startRuntime } from "./vmcp-process.ts";

const SOAK = process.env.VMCP_SOAK === "1";
const seconds = (name: string, fallback: number) => Number(process.env[name]) || fallback;
const CHURN_S = seconds("VMCP_RUNTIME_CHURN_S", SOAK ? 1800 : 300);
/** Ten minutes for the default version; the other versions get two outside the soak (CI time). */
const steadySeconds = (version: string) =>
  seconds("VMCP_RUNTIME_STEADY_S", SOAK || version === DEFAULT_RUNTIME_VERSION ? 600 : 120);
const TOOLS_PER_BACKEND = 13;

const namespace = useNamespace("dynamic-rt");
const ns = () => namespace.name;
type Any = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the runtime may take to serve a change of its group's members. */
const served = { timeout: 120_000, interval: 1_000 };

describe.each(SUPPORTED_VERSIONS)("dynamic mode with the real vMCP runtime %s", (version) => {
  const name = `dyn-${version.replaceAll(".", "-")}`;
  const groupName = `${name}-group`;
  const image = `${VMCP_IMAGE_REPOSITORY}:${version}`;
  const profile = runtimeProfile(image);
  const member = (suffix: string) => `${name}-${suffix}`;
  const account = `system:serviceaccount:${namespace.name}:${name}-vmcp`;
  const backends: Backend[] = [];
  let runtime: RunningRuntime | undefined;
  let history: History;
  /** Every reconcile and resync of the functions in this run, and whether it wrote. */
  const writes: { phase: string; written: string[] }[] = [];
  let phase = "rollout";
  const key = `k-${randomBytes(6).toString("hex")}`;

  const reconcile = async () => {
    const result = await reconcileOne(functionsKubeConfig(), ns(), name, { image });
    writes.push({ phase, written: result.written });
  };
  const resync = async () => {
    const summary = await resyncAll(functionsKubeConfig(), { image, namespace: ns() });
    expect(summary.failed).toBe(0);
    writes.push({ phase, written: summary.written > 0 ? ["VirtualMCPServer"] : [] });
  };
  const tools = async () => {
    const session = await connect(runtime?.url ?? "");
    try {
      return await session.toolNames();
    } finally {
      await session.close();
    }
  };
  const toolsOf = (names: string[], suffix: string) =>
    names.filter((t) => t.startsWith(`${member(suffix)}_`));

  beforeAll(async () => {
    await applyFunctionsRbac();
    // The entry's server speaks TLS with a certificate of a private CA: reached only through its CA bundle.
    const tls = await servingCertificate();
    const [a, b, d] = await Promise.all([
      startBackend("a", "streamableHttp"),
      startBackend("b", "sse"),
      startBackend("d", "streamableHttp", undefined, tls),
    ]);
    backends.push(a, b, d);
    const ca = kubectl([
      "create",
      "configmap",
      `${name}-ca`,
      `--from-literal=ca.crt=${tls.caPem}`,
      "-n",
      ns(),
    ]);
    expect(ca.status, ca.stderr).toBe(0);
    expect(
      kubectl(["create", "secret", "generic", `${name}-creds`, `--from-literal=key=${key}`, "-n", ns()])
        .status,
    ).toBe(0);
    await userApply(
      kubeConfig(),
      ns(),
      mcpGroup(groupName),
      mcpExternalAuthConfig(`${name}-key`, { spec: headerInjection(`${name}-creds`, "key") }),
      mcpServer(member("alpha"), {
        group: groupName,
        spec: { externalAuthConfigRef: { name: `${name}-key` } },
      }),
      mcpRemoteProxy(member("gamma"), {
        group: groupName,
        spec: { remoteUrl: "https://mcp.example.com/sse", transport: "sse" },
      }),
      mcpServerEntry(member("delta"), {
        group: groupName,
        spec: {
          remoteUrl: d.url,
          allowPrivateEndpoint: true,
          caBundleRef: { configMapRef: { name: `${name}-ca`, key: "ca.crt" } },
        },
      }),
      virtualMCPServer(name, { group: groupName }),
    );
    // What ToolHive's controllers would report for the members.
    await patchStatus(kubeConfig(), "MCPServer", ns(), member("alpha"), { phase: "Running", url: a.url });
    await patchStatus(kubeConfig(), "MCPRemoteProxy", ns(), member("gamma"), { phase: "Ready", url: b.url });
    await patchStatus(kubeConfig(), "MCPServerEntry", ns(), member("delta"), { phase: "Valid" });
    history = await watchHistory(kubeConfig(), ns(), name);
    await reconcile();
  });

  afterAll(async () => {
    history?.stop();
    await runtime?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  });

  it("first rollout: the runtime discovers every kind of member and reports while the Deployment is unavailable", async () => {
    runtime = await startRuntime(kubeConfig(), ns(), name, version);
    // The pod is up before the Deployment controller calls it available: both writers act meanwhile.
    const until = Date.now() + 45_000;
    while (Date.now() < until) {
      await reconcile();
      await sleep(5_000);
    }
    await markDeploymentAvailable(kubeConfig(), ns(), name);
    await reconcile();
    const names = await eventually(
      async () => {
        const all = await tools();
        return all.length === 3 * TOOLS_PER_BACKEND ? all : undefined;
      },
      { what: "the members' tools", ...served },
    );
    for (const suffix of ["alpha", "gamma", "delta"])
      expect(toolsOf(names, suffix)).toHaveLength(TOOLS_PER_BACKEND);
    // A call reaches the server behind alpha, with the header its auth config names (the runtime read the
    // MCPExternalAuthConfig and its Secret itself).
    const session = await connect(runtime.url);
    const echoed = await session.call(`${member("alpha")}_echo`, { message: "ping" });
    await session.close();
    expect(echoed.text).toContain("ping");
    expect(backends[0]?.headerValues()).toContain(key);
    const vmcp = (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as Any;
    expect(vmcp.status).toMatchObject({ phase: "Ready", backendCount: 3 });
    expect(vmcp.status.conditions).toContainEqual(
      expect.objectContaining({ type: "RuntimeStatusReported", status: "True" }),
    );
    expect(vmcp.status.conditions).toContainEqual(expect.objectContaining({ type: "Ready", status: "True" }));
    expect(flippingFields(history.versions)).toEqual({});
  });

  it(
    `churn: resyncs and hinted reconciles, a member added and removed, the runtime restarted (${CHURN_S} s)`,
    async () => {
      phase = "churn";
      const started = Date.now();
      const at = (fraction: number) => started + fraction * CHURN_S * 1000;
      const steps: [number, () => Promise<void>][] = [
        [
          at(0.25),
          async () => {
            const c = await startBackend("c", "streamableHttp");
            backends.push(c);
            await userApply(kubeConfig(), ns(), mcpServer(member("beta"), { group: groupName }));
            await patchStatus(kubeConfig(), "MCPServer", ns(), member("beta"), {
              phase: "Running",
              url: c.url,
            });
            await eventually(async () => toolsOf(await tools(), "beta").length === TOOLS_PER_BACKEND, {
              what: "beta's tools",
              ...served,
            });
          },
        ],
        [
          at(0.5),
          async () => {
            expect(kubectl(["delete", "mcpserver", member("beta"), "-n", ns()]).status).toBe(0);
            await eventually(async () => toolsOf(await tools(), "beta").length === 0, {
              what: "beta gone",
              ...served,
            });
          },
        ],
        [
          at(0.75),
          async () => {
            await runtime?.stop();
            runtime = await startRuntime(kubeConfig(), ns(), name, version);
          },
        ],
      ];
      let turn = 0;
      while (Date.now() < at(1)) {
        const due = steps.findIndex(([when]) => Date.now() >= when);
        if (due >= 0) await steps.splice(due, 1)[0]?.[1]();
        await (turn++ % 2 === 0 ? resync() : reconcile());
        await sleep(3_000 + Math.random() * 4_000);
      }
      expect(steps).toEqual([]);
      expect(flippingFields(history.versions)).toEqual({});
      const vmcp = (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as Any;
      expect(vmcp.status.conditions).toContainEqual(
        expect.objectContaining({ type: "RuntimeStatusReported", status: "True", reason: "ReportFresh" }),
      );
    },
    (CHURN_S + 180) * 1000,
  );

  it(
    "steady state: the runtime reports, resyncs and hinted reconciles come, and the functions write nothing",
    async () => {
      phase = "steady";
      const duration = steadySeconds(version);
      const from = history.versions.length;
      const until = Date.now() + duration * 1000;
      let turn = 0;
      while (Date.now() < until) {
        await (turn++ % 2 === 0 ? resync() : reconcile());
        await sleep(10_000);
      }
      const stored = history.versions.slice(from);
      // Two witnesses: the stored versions the functions' field managers wrote alone, and what each
      // reconcile and resync of the functions reported writing.
      const byFunctions = stored.filter(
        (v) => v.writers.length === 1 && FIELD_MANAGERS.includes(v.writers[0] ?? ""),
      );
      expect(byFunctions).toEqual([]);
      expect(writes.filter((w) => w.phase === "steady" && w.written.length > 0)).toEqual([]);
      // The runtime kept reporting (every 30 s): this was a steady state, not a silent one.
      expect(stored.filter((v) => v.writers.length > 0).length).toBeGreaterThanOrEqual(
        Math.floor(duration / 30) - 1,
      );
      expect(flippingFields(history.versions)).toEqual({});
    },
    (steadySeconds(version) + 120) * 1000,
  );

  it("the runtime was never refused, and its ServiceAccount may do what it used and no more", () => {
    const trail = auditTrail(account);
    expect(trail.filter((r) => r.code === 403)).toEqual([]);
    expect(runtime?.log()).not.toMatch(/forbidden/i);
    const used = new Set(trail.map((r) => `${r.verb} ${r.resource}${r.name ? ` ${r.name}` : ""}`));
    const everyone = permissionsOf([`--as=${account.replace(/-vmcp$/, "-nobody")}`], ns());
    const granted = permissionsOf([`--as=${account}`], ns()).filter((p) => !everyone.includes(p));
    // Each request was allowed by a grant (a grant without a name covers every name).
    for (const request of used) {
      const [verb, resource] = request.split(" ");
      expect(
        granted.some((g) => g === request || g === `${verb} ${resource}`),
        request,
      ).toBe(true);
    }
    // Each grant was used, but list where informers stream their initial list as a watch: an API server
    // that cannot answers the informer's fallback, a list.
    const unused = granted.filter((g) => ![...used].some((u) => u === g || u.startsWith(`${g} `)));
    expect(unused).toEqual(
      ["configmaps", "secrets", "mcpexternalauthconfigs.toolhive.stacklok.dev"]
        .map((r) => `list ${r}`)
        .sort(),
    );
  });

  it("the runtime double of the fault and conflict tests writes what the real runtime writes", async () => {
    const real = (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as Any;
    const reportOf = (object: Any) =>
      (profile.statusShape === "runtime" ? object.status.runtime : object.status) as Any;
    const report = reportOf(real);
    // The double, on an object of its own, told what the real runtime saw.
    const twin = `${name}-double`;
    await userApply(kubeConfig(), ns(), virtualMCPServer(twin, { group: groupName }));
    const backendsSeen = (report.discoveredBackends as Any[]).map((b) => ({
      name: b.name,
      status: b.status,
    }));
    await runtimeReport(kubeConfig(), ns(), twin, backendsSeen, new Date(), profile.statusShape);
    const double = reportOf((await getObject(kubeConfig(), "VirtualMCPServer", ns(), twin)) as Any);
    const manager = (object: Any) =>
      (object.metadata.managedFields as Any[])
        .filter((e) => e.subresource === "status" && !FIELD_MANAGERS.includes(e.manager))
        .map((e) => `${e.manager} ${e.operation}`);
    expect(manager((await getObject(kubeConfig(), "VirtualMCPServer", ns(), twin)) as Any)).toEqual(
      manager(real),
    );
    // What the runtime writes (at the top level, beside the functions' own fields, up to v0.46).
    const REPORTED = [
      "backendCount",
      "conditions",
      "discoveredBackends",
      "message",
      "observedGeneration",
      "phase",
    ];
    const words = (r: Any) => ({
      keys: Object.keys(r)
        .filter((k) => REPORTED.includes(k))
        .sort(),
      phase: r.phase,
      message: r.message,
      backendCount: r.backendCount,
      conditions: (r.conditions as Any[])
        .filter((c) => ["Ready", "Degraded", "BackendsDiscovered"].includes(c.type))
        .map((c) => [c.type, c.status, c.reason, c.message])
        .sort(),
      // Auth fields aside (the double's backends have none), each backend has the same fields.
      backendKeys: [...new Set((r.discoveredBackends as Any[]).flatMap((b) => Object.keys(b)))]
        .filter((k) => !k.startsWith("auth"))
        .sort(),
    });
    expect(words(double)).toEqual(words(report));
  });
});
