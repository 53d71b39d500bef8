// One resync in a process of its own, so that its peak memory is the resync's (with Node and the code it
// loads, as in the resync Lambda), not the benchmark's. resync-scale.ts bundles it as the functions are
// bundled; arguments KUBECONFIG IMAGE; prints one JSON line.
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { resyncAll } from "../functions/resync/resync-all.ts";

export interface ChildResync {
  readonly ms: number;
  readonly summary: Awaited<ReturnType<typeof resyncAll>>;
  /** The first few failures, to say why when any. */
  readonly errors: readonly string[];
  /** Peak RSS before the resync began: Node plus the bundle, the baseline of the same process. */
  readonly maxRssBeforeBytes: number;
  readonly maxRssBytes: number;
}

/**
 * This process's own peak RSS, VmHWM of its address space. Not `process.resourceUsage().maxRSS`: Linux
 * keeps that across fork and exec, so a child's starts at its parent's peak (a child that itself peaked at
 * 45 MiB reported the 304 MiB of the process that spawned it).
 */
function peakRssBytes(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
  if (!hwm) throw new Error("no VmHWM in /proc/self/status: peak memory is measured on Linux only");
  return Number(hwm[1]) * 1024;
}

const [kubeconfig, image] = process.argv.slice(2);
if (!kubeconfig || !image) throw new Error("arguments: KUBECONFIG IMAGE");
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const errors: string[] = [];
const maxRssBeforeBytes = peakRssBytes();
const started = performance.now();
const summary = await resyncAll(kc, {
  image,
  onError: ({ namespace, name }, error) => {
    if (errors.length < 3) errors.push(`${namespace}/${name}: ${(error as Error).message}`);
  },
});
const ms = performance.now() - started;
const result: ChildResync = {
  ms,
  summary,
  errors,
  maxRssBeforeBytes,
  maxRssBytes: peakRssBytes(),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
