// Resync at 10, 100 and 1,000 VirtualMCPServers: the first resync (convergence), steady resyncs, and
// resyncs after 10% of the objects' children drifted; wall time, the API server's request counts and the
// resync's peak memory, each resync in a child process of its own. One fresh control plane per scale.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeConfig } from "@kubernetes/client-node";
import { childNames } from "../functions/core/kinds/names.ts";
import { resourcePath } from "../functions/core/kinds/resources.ts";
import { rawRequest } from "../functions/kube/raw-request.ts";
import { inParallel } from "../infra/local/test-kit/in-parallel.ts";
import { lineChart } from "./chart.ts";
import {
  applyVmcps,
  countRequests,
  type ObjectKey,
  seedNamespace,
  withFreshControlPlane,
} from "./cluster.ts";
import type { ChildResync } from "./resync-child.ts";
import type { Benchmark, Target } from "./section.ts";
import { fmt, type Summary, summarize } from "./stats.ts";

const IMAGE = "example/vmcp:v0.47.0";
const DRIVER = fileURLToPath(new URL("./resync-child.ts", import.meta.url));
const NAMESPACES = 10;
const MiB = 1024 * 1024;
const TARGET = { objects: 1000, ms: 10_000, rssBytes: 256 * MiB };

interface Measured extends ChildResync {
  readonly reads: number;
  readonly writes: number;
}

interface BundlePlugin {
  buildOptions(entry: string, outdir: string): Record<string, unknown>;
}

/**
 * The driver bundled with the deployed functions' esbuild options, so the child loads what the resync
 * Lambda loads (one minified file) and not the sources through Node's type stripping, which alone adds
 * tens of MiB to the peak.
 */
async function bundleDriver(dir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const plugin = require("../infra/aws/bundle-plugin.cjs") as BundlePlugin;
  const esbuild = require("esbuild") as { build: (options: Record<string, unknown>) => Promise<unknown> };
  await esbuild.build(plugin.buildOptions(DRIVER, dir));
  return join(dir, "index.mjs");
}

function runChild(driver: string, kubeconfig: string): Promise<ChildResync> {
  return new Promise((resolve, reject) => {
    // --enable-source-maps: the functions' NODE_OPTIONS on Lambda.
    const child = spawn(process.execPath, ["--enable-source-maps", driver, kubeconfig, IMAGE], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ChildResync)
        : reject(new Error(`the resync driver exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

/** One resync in a child process, with the requests it made; it must have reconciled all `objects`. */
async function measuredResync(
  kc: KubeConfig,
  driver: string,
  kubeconfig: string,
  objects: number,
): Promise<Measured> {
  let result: ChildResync | undefined;
  const counts = await countRequests(kc, async () => {
    result = await runChild(driver, kubeconfig);
  });
  const { summary, errors } = result as ChildResync;
  if (summary.failed > 0 || summary.objects !== objects)
    throw new Error(`resync of ${objects} objects: ${JSON.stringify(summary)}; ${errors.join("; ")}`);
  return { ...(result as ChildResync), ...counts };
}

/**
 * Drift on one object in ten, as a person or another tool would cause it, spread over the namespaces (one
 * of each ten consecutive objects, in a different namespace each time): half of them lose their ConfigMap,
 * the other half get a label of their Service changed.
 */
async function drift(kc: KubeConfig, keys: readonly ObjectKey[]) {
  const drifted = keys.filter((_, i) => i % NAMESPACES === Math.floor(i / NAMESPACES) % NAMESPACES);
  const deleted = drifted.filter((_, j) => j % 2 === 0);
  const edited = drifted.filter((_, j) => j % 2 === 1);
  // A plain DELETE with no body, as kubectl sends it.
  await inParallel(deleted, async ({ namespace, name }) => {
    const path = resourcePath("ConfigMap", namespace, childNames(name).configMap);
    const response = await rawRequest(kc, path, { method: "DELETE" });
    if (response.status !== 200) throw new Error(`deleting the ConfigMap of ${name}: ${response.body}`);
  });
  await inParallel(edited, async ({ namespace, name }) => {
    const path = `${resourcePath("Service", namespace, childNames(name).service)}?fieldManager=bench-user`;
    const response = await rawRequest(kc, path, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ metadata: { labels: { app: "edited-by-hand" } } }),
    });
    if (response.status !== 200) throw new Error(`editing the Service of ${name}: ${response.body}`);
  });
  return { configMapsDeleted: deleted.length, servicesEdited: edited.length };
}

const summaries = (runs: readonly Measured[]) => ({
  ms: summarize(runs.map((r) => r.ms)),
  reads: summarize(runs.map((r) => r.reads)),
  writes: summarize(runs.map((r) => r.writes)),
  written: summarize(runs.map((r) => r.summary.written)),
  maxRssBytes: summarize(runs.map((r) => r.maxRssBytes)),
  maxRssBeforeBytes: summarize(runs.map((r) => r.maxRssBeforeBytes)),
});

type Scale = Awaited<ReturnType<typeof measureScale>>;

async function measureScale(
  objects: number,
  driver: string,
  runs: { steady: number; drift: number },
  log: (l: string) => void,
) {
  return withFreshControlPlane(`resync-${objects}`, async ({ kc, kubeconfig }) => {
    const namespaces = Array.from({ length: NAMESPACES }, (_, n) => `fleet-${n}`);
    await inParallel(namespaces, (ns) => seedNamespace(kc, ns, ["backend"]));
    // Object i lives in namespace i mod 10: each namespace holds a tenth of them.
    const keys = Array.from({ length: objects }, (_, i) => ({
      namespace: `fleet-${i % NAMESPACES}`,
      name: `vmcp-${Math.floor(i / NAMESPACES)}`,
    }));
    await applyVmcps(kc, keys, "static");
    log(`resync-scale: ${objects} objects created; first resync`);
    const first = await measuredResync(kc, driver, kubeconfig, objects);
    log(
      `resync-scale: ${objects}: first resync ${fmt(first.ms / 1000, " s")}; ${runs.steady} steady resyncs`,
    );
    const steady: Measured[] = [];
    for (let r = 0; r < runs.steady; r++) steady.push(await measuredResync(kc, driver, kubeconfig, objects));
    log(`resync-scale: ${objects}: ${runs.drift} rounds of drift and resync`);
    const drifted: Measured[] = [];
    let driftShape = { configMapsDeleted: 0, servicesEdited: 0 };
    for (let r = 0; r < runs.drift; r++) {
      driftShape = await drift(kc, keys);
      drifted.push(await measuredResync(kc, driver, kubeconfig, objects));
    }
    return { objects, first, steady: summaries(steady), drift: { ...driftShape, ...summaries(drifted) } };
  });
}

const mib = (bytes: number) => fmt(bytes / MiB, " MiB");
const ms = (x: number) => (x >= 1000 ? fmt(x / 1000, " s") : fmt(x, " ms"));
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const count = (s: Summary) => (s.min === s.max ? `${s.p50}` : `${s.p50} (${s.min}–${s.max})`);

export const resyncScale: Benchmark = async ({ quick, log }) => {
  const sizes = quick ? [10, 100] : [10, 100, 1000];
  const runs = { steady: quick ? 3 : 5, drift: 3 };
  const scales: Scale[] = [];
  const bundleDir = await mkdtemp(join(tmpdir(), "vmcp-lambda-bench-resync-driver-"));
  try {
    const driver = await bundleDriver(bundleDir);
    for (const objects of sizes) scales.push(await measureScale(objects, driver, runs, log));
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
  }

  const [smallest, largest] = [scales[0], scales.at(-1)] as [Scale, Scale];
  const atTarget = scales.find((s) => s.objects === TARGET.objects);
  const targets: Target[] = [
    {
      name: "steady resync of 1,000 VirtualMCPServers: wall time",
      target: "p50 < 10 s",
      measured: atTarget
        ? `p50 ${ms(atTarget.steady.ms.p50)} over ${runs.steady} runs`
        : "not run in --quick",
      met: atTarget ? atTarget.steady.ms.p50 < TARGET.ms : false,
    },
    {
      name: "steady resync of 1,000 VirtualMCPServers: peak memory",
      target: "peak RSS < 256 MiB",
      measured: atTarget
        ? `max ${mib(atTarget.steady.maxRssBytes.max)} over ${runs.steady} runs (${mib(atTarget.steady.maxRssBeforeBytes.p50)} before the resync)`
        : "not run in --quick",
      met: atTarget ? atTarget.steady.maxRssBytes.max < TARGET.rssBytes : false,
    },
  ];
  const points = (pick: (s: Scale) => number) => scales.map((s) => [s.objects, pick(s)] as const);
  const chart = lineChart({
    title: `Resync scaling (p50 of ${runs.steady} steady and ${runs.drift} drifted resyncs per scale)`,
    xLabel: "VirtualMCPServers (log scale)",
    xTicks: sizes,
    panels: [
      {
        title: "Wall time per resync",
        yLabel: "milliseconds",
        series: [
          { name: "steady", points: points((s) => s.steady.ms.p50) },
          { name: "10% drifted", points: points((s) => s.drift.ms.p50) },
        ],
      },
      {
        title: "Reads per resync",
        yLabel: "requests",
        series: [
          { name: "steady", points: points((s) => s.steady.reads.p50) },
          { name: "10% drifted", points: points((s) => s.drift.reads.p50) },
        ],
      },
      {
        title: "Writes per resync",
        yLabel: "requests",
        series: [
          { name: "steady", points: points((s) => s.steady.writes.p50) },
          { name: "10% drifted", points: points((s) => s.drift.writes.p50) },
        ],
      },
    ],
  });
  return {
    id: "resync-scale",
    title: "Resync scaling",
    figures: { runs, scales },
    targets,
    files: [{ name: "resync-scaling.svg", content: chart }],
    markdown: [
      `${sizes.map((n) => n.toLocaleString("en")).join(", ")} static-mode VirtualMCPServers, spread evenly`,
      `over ${NAMESPACES} namespaces, each namespace with one group and one running MCPServer, on a fresh`,
      "control plane per scale. Each resync runs `resyncAll` in a child process of its own, bundled with",
      "the functions' esbuild options and started with their `--enable-source-maps`, as the resync Lambda",
      "runs: wall time is measured around the call; peak memory is the process's own peak RSS (`VmHWM`,",
      "Node and the bundle included), next to its peak just before the resync began. Requests are the API",
      "server's `apiserver_request_total` for the functions' resources, read before and after.",
      ...(quick
        ? ["", "**--quick: 10 and 100 objects only; the 1,000-object scale and its targets were not run.**"]
        : []),
      "",
      `Steady state, ${runs.steady} resyncs per scale (median; the range when it varies):`,
      "",
      "| objects | wall time p50 | max | reads | writes | peak RSS (max) | peak RSS before the resync |",
      "|---|---|---|---|---|---|---|",
      ...scales.map(
        (s) =>
          `| ${s.objects.toLocaleString("en")} | ${ms(s.steady.ms.p50)} | ${ms(s.steady.ms.max)} | ${count(s.steady.reads)} | ${count(s.steady.writes)} | ${mib(s.steady.maxRssBytes.max)} | ${mib(s.steady.maxRssBeforeBytes.p50)} |`,
      ),
      "",
      `Drift: before each of ${runs.drift} resyncs, the children of one object in ten, spread over the`,
      "namespaces, were changed by hand: half lost their ConfigMap, half got a label of their Service",
      "changed. The first resync (convergence from nothing) ran once per scale, so its figures are single runs.",
      "",
      "| objects | first resync: wall time | writes | drifted | drifted: wall time p50 | reads | writes | objects rewritten | peak RSS (max) |",
      "|---|---|---|---|---|---|---|---|---|",
      ...scales.map(
        (s) =>
          `| ${s.objects.toLocaleString("en")} | ${ms(s.first.ms)} | ${s.first.writes} | ${plural(s.drift.configMapsDeleted, "ConfigMap")}, ${plural(s.drift.servicesEdited, "Service")} | ${ms(s.drift.ms.p50)} | ${count(s.drift.reads)} | ${count(s.drift.writes)} | ${count(s.drift.written)} | ${mib(s.drift.maxRssBytes.max)} |`,
      ),
      "",
      `Reads are one LIST page per type: pages hold 500 objects, and a list by label pages over every object`,
      `of its type, so reads stay at ${count(smallest.steady.reads)} while each type has at most 500 and are`,
      `${count(largest.steady.reads)} at ${largest.objects.toLocaleString("en")}. Writes of a first resync are`,
      "each object's children, an Event per child created and its status; after drift, only the restored",
      "children (and an Event for each recreated ConfigMap).",
      "",
      "![resync scaling](bench/resync-scaling.svg)",
    ].join("\n"),
  };
};
