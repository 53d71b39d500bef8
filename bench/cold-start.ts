// Cold start: a fresh Node process imports one function's bundle and answers one request, against a no-op
// bundle built with the same esbuild options and measured in the same run. Processes are started round-robin
// (no-op, admission, router, reconcile, resync, no-op, …) so machine drift falls on every bundle alike.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { childEnvironment, PROBES, type Probe } from "./cold-start-requests.ts";
import type { Benchmark, Target } from "./section.ts";
import { fmt, type Summary, summarize } from "./stats.ts";

const REPO = join(import.meta.dirname, "..");
const MARK = "COLD-START-RESULT ";

interface BundlePlugin {
  readonly ENTRY_POINTS: Record<string, string>;
  bundle(serviceDir: string, log: (line: string) => void, outRoot?: string): Promise<void>;
  buildOptions(entry: string, outdir: string): Record<string, unknown>;
}

// The child records its own start, import and answer times; `performance.now()` counts from process start.
const DRIVER = `import { pathToFileURL } from "node:url";
const started = performance.now();
const [bundle, eventJson, mode, trace] = process.argv.slice(2);
// Untimed runs only: which files the request loads.
const loaded = [];
if (trace)
  (await import("node:module")).registerHooks({ load: (url, c, next) => (loaded.push(url), next(url, c)) });
const context = {
  functionName: "cold-start", functionVersion: "$LATEST", memoryLimitInMB: "256",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:cold-start",
  awsRequestId: "00000000-0000-4000-8000-000000000000", logGroupName: "/aws/lambda/cold-start",
  logStreamName: "cold-start", callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
};
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const answer = mode === "answer" ? await handler(JSON.parse(eventJson), context) : null;
const answered = performance.now();
process.stdout.write("\\n${MARK}" + JSON.stringify({
  importMs: imported - started, answerMs: answered - imported, fromProcessStartMs: answered, answer, loaded,
}) + "\\n");
process.exit(0);
`;

const NOOP = `export const handler = async () => ({ statusCode: 200, body: "{}" });\n`;

interface Run {
  readonly inProcessMs: number;
  readonly importMs: number;
  /** From the process's start (Node's own bootstrap included) to the answer, as the process saw it. */
  readonly fromProcessStartMs: number;
  readonly spawnToExitMs: number;
  /** The file URLs the process loaded: traced runs only. */
  readonly loaded: readonly string[];
}

function runOnce(driver: string, bundle: string, probe: Probe, env: NodeJS.ProcessEnv, trace = false) {
  return new Promise<Run>((resolve, reject) => {
    const started = performance.now();
    const args = [driver, bundle, JSON.stringify(probe.event), probe.importOnly ? "import" : "answer"];
    const child = spawn(process.execPath, trace ? [...args, "trace"] : args, { env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk));
    let exited = 0;
    child.on("exit", () => (exited = performance.now()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(MARK));
      if (code !== 0 || !line)
        return reject(new Error(`${bundle} exited ${code}: ${err || out}`.slice(0, 2000)));
      const result = JSON.parse(line.slice(MARK.length)) as {
        importMs: number;
        answerMs: number;
        fromProcessStartMs: number;
        answer: unknown;
        loaded: string[];
      };
      const wrong = probe.importOnly ? undefined : probe.check(result.answer);
      if (wrong) return reject(new Error(`${bundle} answered wrongly: ${wrong}`.slice(0, 2000)));
      resolve({
        inProcessMs: result.importMs + result.answerMs,
        importMs: result.importMs,
        fromProcessStartMs: result.fromProcessStartMs,
        spawnToExitMs: exited - started,
        loaded: result.loaded,
      });
    });
  });
}

interface Files {
  readonly files: readonly { name: string; bytes: number; gzipBytes: number }[];
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
}

/** What Lambda unpacks for one function: its code files (entry and chunks) and their source maps. */
async function filesOf(dir: string): Promise<Files> {
  const names = (await readdir(dir, { recursive: true })).sort();
  const files: { name: string; bytes: number; gzipBytes: number }[] = [];
  let mapBytes = 0;
  for (const name of names) {
    if (name.endsWith(".map")) mapBytes += (await readFile(join(dir, name))).length;
    if (!name.endsWith(".mjs")) continue;
    const code = await readFile(join(dir, name));
    files.push({ name, bytes: code.length, gzipBytes: gzipSync(code).length });
  }
  const sum = (key: "bytes" | "gzipBytes") => files.reduce((total, f) => total + f[key], 0);
  return { files, bytes: sum("bytes"), gzipBytes: sum("gzipBytes"), mapBytes };
}

function probeFor(name: string): Probe {
  const probe = PROBES[name];
  if (!probe) throw new Error(`no request for the ${name} bundle`);
  return probe;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const kb = (bytes: number) => fmt(bytes / 1024, " KiB");
const ms = (s: Summary) => `${fmt(s.p50, " ms")} / ${fmt(s.p95, " ms")}`;

export const coldStart: Benchmark = async ({ quick, log }) => {
  const runs = quick ? 7 : 25;
  const require = createRequire(import.meta.url);
  const plugin = require("../infra/aws/bundle-plugin.cjs") as BundlePlugin;
  const esbuild = require("esbuild") as { build: (options: Record<string, unknown>) => Promise<unknown> };
  const dir = await mkdtemp(join(tmpdir(), "vmcp-cold-start-"));
  try {
    // The current code, bundled as osls would, into a directory of our own (others may be packaging).
    await plugin.bundle(REPO, log, join(dir, "lambda"));
    await writeFile(join(dir, "noop.mjs"), NOOP);
    await esbuild.build(plugin.buildOptions(join(dir, "noop.mjs"), join(dir, "lambda", "noop")));
    const driver = join(dir, "driver.mjs");
    await writeFile(driver, DRIVER);
    const env = await childEnvironment(REPO);
    const names = ["noop", ...Object.keys(plugin.ENTRY_POINTS)];
    const samples = new Map<string, Run[]>(names.map((name) => [name, []]));
    // Round 0 warms the page cache and is discarded: the first read of a bundle would measure the disk.
    for (let round = 0; round <= runs; round++) {
      for (const name of names) {
        const run = await runOnce(driver, join(dir, "lambda", name, "index.mjs"), probeFor(name), env);
        if (round > 0) samples.get(name)?.push(run);
      }
      if (round > 0) log(`cold start: round ${round}/${runs}`);
    }

    const rows = [];
    for (const name of names) {
      const taken = samples.get(name) ?? [];
      const bundleDir = join(dir, "lambda", name);
      const files = await filesOf(bundleDir);
      // One more run, untimed, with a load hook: which of the bundle's files this request needs.
      const traced = await runOnce(driver, join(bundleDir, "index.mjs"), probeFor(name), env, true);
      const loaded = files.files.filter((f) =>
        traced.loaded.includes(pathToFileURL(join(bundleDir, f.name)).href),
      );
      rows.push({
        name,
        importOnly: probeFor(name).importOnly ?? false,
        files,
        loaded: { files: loaded.map((f) => f.name), bytes: loaded.reduce((total, f) => total + f.bytes, 0) },
        samples: {
          inProcessMs: taken.map((r) => r.inProcessMs),
          importMs: taken.map((r) => r.importMs),
          fromProcessStartMs: taken.map((r) => r.fromProcessStartMs),
          spawnToExitMs: taken.map((r) => r.spawnToExitMs),
        },
        inProcess: summarize(taken.map((r) => r.inProcessMs)),
        spawnToExit: summarize(taken.map((r) => r.spawnToExitMs)),
      });
    }
    const noop = rows.find((r) => r.name === "noop");
    const admission = rows.find((r) => r.name === "admission");
    if (!noop || !admission) throw new Error("the no-op and admission bundles must both be measured");
    const ratio = (s: Summary) => s.p50 / noop.spawnToExit.p50;

    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    const table = [
      line([
        "bundle",
        "files",
        "code",
        "gzip",
        "source maps",
        "loaded by the request",
        "import + answer, in process (p50 / p95)",
        "spawn to exit (p50 / p95)",
        "× no-op (spawn to exit, p50)",
      ]),
      line(["---", ...Array.from({ length: 8 }, () => "---:")]),
      ...rows.map((r) =>
        line([
          `${r.name}${r.importOnly ? " (import only)" : ""}`,
          String(r.files.files.length),
          kb(r.files.bytes),
          kb(r.files.gzipBytes),
          kb(r.files.mapBytes),
          `${count(r.loaded.files.length, "file")}, ${kb(r.loaded.bytes)}`,
          ms(r.inProcess),
          ms(r.spawnToExit),
          fmt(ratio(r.spawnToExit), "×"),
        ]),
      ),
    ];
    const target: Target = {
      name: "admission cold start",
      target: "admission bundle ≤ 2× the no-op bundle (spawn to exit, p50)",
      measured: `${fmt(ratio(admission.spawnToExit), "×")} (${fmt(admission.spawnToExit.p50, " ms")} vs ${fmt(noop.spawnToExit.p50, " ms")}; in process ${fmt(admission.inProcess.p50, " ms")} vs ${fmt(noop.inProcess.p50, " ms")})`,
      met: ratio(admission.spawnToExit) <= 2,
    };
    const markdown = [
      `Each bundle as \`osls package\` builds it, and a no-op bundle (\`export const handler = async () => ({ statusCode: 200, body: "{}" })\`) built with the same esbuild options; ${runs} fresh \`node\` processes each (Node ${process.versions.node}, the deployed NODE_OPTIONS \`${env.NODE_OPTIONS ?? ""}\`), started round-robin across the bundles after one discarded warm-up round.`,
      "*Import + answer* is measured inside the process, from the driver's first line to the handler's answer; *spawn to exit* by the parent, from `spawn` to the process's exit, so it includes Node's own start. The target compares spawn-to-exit medians. *Loaded by the request*: the bundle's files the process read, from one more, untimed run with a load hook.",
      "Requests that need no network: admission a Function URL POST `/<token>/mutate` of a VirtualMCPServer (checked: 200, an allowing AdmissionReview with a patch); router an EventBridge event that is not a change hint (dropped); reconcile an SQS record that is not JSON (dropped). The resync function always talks to the API server, so it is timed on import alone.",
      "",
      ...table,
    ].join("\n");
    return {
      id: "cold-start",
      title: "Cold start",
      figures: {
        runs,
        warmupRoundsDiscarded: 1,
        node: process.versions.node,
        nodeOptions: env.NODE_OPTIONS ?? "",
        bundles: Object.fromEntries(rows.map(({ name, ...row }) => [name, row])),
      },
      markdown,
      targets: [target],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
