// API-server cost, read from the API server's own apiserver_request_total: requests per reconcile (the
// first one, and once converged) and per steady resync of 10 and of 100 VirtualMCPServers, in static and
// dynamic mode. Each mode runs on a control plane of its own, so nothing else is counted.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Mode } from "../functions/core/kinds/toolhive.ts";
import { reconcileOne } from "../functions/reconcile/reconcile-one.ts";
import { resyncAll } from "../functions/resync/resync-all.ts";
import { markDeploymentAvailable, type RequestCounts } from "../infra/local/test-kit/actors.ts";
import { inParallel } from "../infra/local/test-kit/in-parallel.ts";
import { runtimeReport } from "../infra/local/test-kit/runtime-double.ts";
import {
  applyVmcps,
  countRequests,
  type ObjectKey,
  seedNamespace,
  withFreshControlPlane,
} from "./cluster.ts";
import type { Benchmark, Target } from "./section.ts";
import { fmt, type Summary, summarize } from "./stats.ts";

const IMAGE = "example/vmcp:v0.47.0";
const MEMBERS = ["weather", "fetch"];
const FLEET_SIZES = [10, 100] as const;
const PER_NAMESPACE = 10;

interface Cost {
  readonly reads: Summary;
  readonly writes: Summary;
}

interface ModeCost {
  readonly firstReconcile: Cost;
  readonly steadyReconcile: Cost;
  readonly steadyResync: Record<(typeof FLEET_SIZES)[number], Cost>;
}

const costOf = (samples: readonly RequestCounts[]): Cost => ({
  reads: summarize(samples.map((s) => s.reads)),
  writes: summarize(samples.map((s) => s.writes)),
});

/**
 * What the rest of the cluster does once the children exist: the Deployment controller reports the
 * Deployment available and, in dynamic mode, the vMCP runtime reports its backends. Done right before each
 * measured phase, so a report is never older than its 90 s freshness while it is measured.
 */
async function settle(kc: KubeConfig, keys: readonly ObjectKey[], mode: Mode) {
  await inParallel(keys, async ({ namespace, name }) => {
    await markDeploymentAvailable(kc, namespace, name);
    if (mode === "dynamic")
      await runtimeReport(
        kc,
        namespace,
        name,
        MEMBERS.map((m) => ({ name: m, status: "ready" as const })),
      );
  });
}

async function resync(kc: KubeConfig, expectedObjects: number) {
  const summary = await resyncAll(kc, { image: IMAGE });
  if (summary.failed > 0 || summary.objects !== expectedObjects)
    throw new Error(`resync of ${expectedObjects} objects: ${JSON.stringify(summary)}`);
  return summary;
}

async function measureMode(kc: KubeConfig, mode: Mode, repeats: number, log: (line: string) => void) {
  // Resync first, while the fleet is all there is: 10 objects in one namespace, then 100 in ten.
  const fleet: ObjectKey[] = [];
  const steadyResync = {} as Record<(typeof FLEET_SIZES)[number], Cost>;
  for (const size of FLEET_SIZES) {
    const added: ObjectKey[] = [];
    for (let n = fleet.length / PER_NAMESPACE; n < size / PER_NAMESPACE; n++) {
      await seedNamespace(kc, `fleet-${n}`, MEMBERS);
      for (let i = 0; i < PER_NAMESPACE; i++) added.push({ namespace: `fleet-${n}`, name: `vmcp-${i}` });
    }
    await applyVmcps(kc, added, mode);
    fleet.push(...added);
    await resync(kc, size);
    await settle(kc, fleet, mode);
    await resync(kc, size);
    log(`api-cost: ${mode}, ${repeats} steady resyncs of ${size} objects`);
    const samples: RequestCounts[] = [];
    for (let r = 0; r < repeats; r++) samples.push(await countRequests(kc, () => resync(kc, size)));
    steadyResync[size] = costOf(samples);
  }

  // Reconcile: `repeats` new objects in a namespace of their own, each reconciled for the first time, then
  // (once settled) each reconciled again with nothing changed.
  const singles = Array.from({ length: repeats }, (_, i) => ({ namespace: "single", name: `vmcp-${i}` }));
  await seedNamespace(kc, "single", MEMBERS);
  await applyVmcps(kc, singles, mode);
  log(`api-cost: ${mode}, ${repeats} first and ${repeats} steady reconciles`);
  const reconcile = async ({ namespace, name }: ObjectKey) => {
    const result = await reconcileOne(kc, namespace, name, { image: IMAGE });
    if (result.outcome !== "ok" || result.mode !== mode)
      throw new Error(`reconcile: ${JSON.stringify(result)}`);
  };
  const first: RequestCounts[] = [];
  for (const key of singles) first.push(await countRequests(kc, () => reconcile(key)));
  await settle(kc, singles, mode);
  for (const key of singles) await reconcile(key);
  const steady: RequestCounts[] = [];
  for (const key of singles) steady.push(await countRequests(kc, () => reconcile(key)));
  return { firstReconcile: costOf(first), steadyReconcile: costOf(steady), steadyResync };
}

const MODES: readonly Mode[] = ["static", "dynamic"];

export const apiCost: Benchmark = async ({ quick, log }) => {
  const repeats = quick ? 5 : 20;
  // The two modes on two control planes at once: their counts are apart, and the waits overlap.
  const [staticCost, dynamicCost] = await Promise.all(
    MODES.map((mode) =>
      withFreshControlPlane(`api-cost-${mode}`, ({ kc }) => measureMode(kc, mode, repeats, log)),
    ),
  );
  const costs = { static: staticCost, dynamic: dynamicCost } as Record<Mode, ModeCost>;

  const cell = (s: Summary) => (s.min === s.max ? `${s.p50}` : `${s.p50} (max ${s.max})`);
  const row = (what: string, pick: (c: ModeCost) => Cost) =>
    `| ${what} | ${MODES.map((m) => `${cell(pick(costs[m]).reads)} | ${cell(pick(costs[m]).writes)}`).join(" | ")} |`;
  const resyncReads = (m: Mode, size: (typeof FLEET_SIZES)[number]) => costs[m].steadyResync[size].reads;
  const targets: Target[] = [
    ...MODES.map((m): Target => {
      const worst = Math.max(
        costs[m].steadyReconcile.writes.max,
        ...FLEET_SIZES.map((size) => costs[m].steadyResync[size].writes.max),
      );
      return {
        name: `${m} mode: steady-state writes`,
        target: "0 writes in steady state",
        measured: `max ${worst} over ${repeats} reconciles and ${repeats} resyncs each of 10 and 100 objects`,
        met: worst === 0,
      };
    }),
    ...MODES.map((m): Target => {
      const [small, large] = FLEET_SIZES.map((size) => resyncReads(m, size)) as [Summary, Summary];
      return {
        name: `${m} mode: resync reads independent of the number of objects`,
        target: "reads of a steady resync of 100 objects = reads of one of 10",
        measured: `${cell(large)} at 100, ${cell(small)} at 10`,
        met: large.min === large.max && small.min === small.max && large.p50 === small.p50,
      };
    }),
  ];
  const reconcileRead = costs.static.steadyReconcile.reads.p50;
  return {
    id: "api-cost",
    title: "API-server cost",
    figures: { repeats, costs },
    targets,
    markdown: [
      "Requests to the API server for the functions' resources, from its own `apiserver_request_total`",
      "(read before and after each run; reads are GET and LIST, writes every other verb, Events included).",
      "Each mode runs on a control plane of its own. Static mode: `outgoingAuth.source: inline` over a group",
      "of two running MCPServers; dynamic mode: no `outgoingAuth`, the same group. Steady state: the",
      "children exist, the Deployment is reported available and, in dynamic mode, the runtime has reported",
      `its backends. Each figure is the median of ${repeats} runs (the maximum in brackets when it differs):`,
      `${repeats} objects reconciled for the first time, then each once more with nothing changed; ${repeats}`,
      "steady resyncs of 10 objects (one namespace), then of 100 (ten namespaces of ten).",
      "",
      "| run | static reads | static writes | dynamic reads | dynamic writes |",
      "|---|---|---|---|---|",
      row("first reconcile", (c) => c.firstReconcile),
      row("steady reconcile", (c) => c.steadyReconcile),
      ...FLEET_SIZES.map((size) => row(`steady resync, ${size} objects`, (c) => c.steadyResync[size])),
      "",
      `A reconcile reads its snapshot with one request per type (${fmt(reconcileRead)} in static mode); a`,
      "resync lists each type once for all namespaces, in pages of 500, so its reads stay the same until a",
      "type has more than 500 objects (see Resync scaling). A first reconcile writes each child,",
      "an Event for each child created, and the status (dynamic mode adds the Role, its RoleBinding and the",
      "fallback status).",
    ].join("\n"),
  };
};
