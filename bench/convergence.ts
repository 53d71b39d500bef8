// Convergence in the local stack: from `kubectl apply` of a VirtualMCPServer to its Deployment, Service
// and ConfigMap present and its status written, through the deployed functions (admission → bus → router
// → FIFO → reconcile), over repeated applies. The kubectl round trip itself (API server + admission
// webhooks, HTTPS to the emulator) is reported beside it.
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { getObject } from "../functions/kube/api.ts";
import { downLocalStack, upLocalStack } from "../infra/local/aws-stack/stack.ts";
import { binaryPaths } from "../infra/local/control-plane/binaries.ts";
import { eventually } from "../infra/local/test-kit/eventually.ts";
import type { Benchmark } from "./section.ts";
import { fmt, summarize } from "./stats.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const NAMESPACE = "default";

const manifest = (name: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: ${name}, namespace: ${NAMESPACE} }
spec:
  groupRef: { name: bench-tools }
  incomingAuth: { type: anonymous }
  outgoingAuth: { source: inline }
`;

async function converged(kc: KubeConfig, name: string): Promise<boolean> {
  const [deployment, service, configMap, vmcp] = await Promise.all([
    getObject(kc, "Deployment", NAMESPACE, name),
    getObject(kc, "Service", NAMESPACE, `vmcp-${name}`),
    getObject(kc, "ConfigMap", NAMESPACE, `${name}-vmcp-config`),
    getObject(kc, "VirtualMCPServer", NAMESPACE, name) as Promise<{
      status?: { observedGeneration?: number };
    }>,
  ]);
  return Boolean(deployment && service && configMap && vmcp?.status?.observedGeneration === 1);
}

export const convergence: Benchmark = async ({ quick, log }) => {
  const applies = quick ? 5 : 25;
  const dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-bench-stack-"));
  const stack = await upLocalStack({ repoRoot: REPO_ROOT, dir, log: (line) => log(`stack: ${line}`) });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.plane.kubeconfig);
    const kubectl = (input: string) =>
      spawnSync(binaryPaths().kubectl, [`--kubeconfig=${stack.plane.kubeconfig}`, "apply", "-f", "-"], {
        input,
        encoding: "utf8",
      });
    const group = kubectl(
      "apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPGroup\nmetadata: { name: bench-tools, namespace: default }\nspec: {}\n",
    );
    if (group.status !== 0) throw new Error(group.stderr);
    const roundTrips: number[] = [];
    const toConverged: number[] = [];
    // One warm-up apply: the first invocation of each function is a cold start, reported apart.
    for (let i = -1; i < applies; i += 1) {
      const name = `bench-${i + 1}`;
      const started = performance.now();
      const applied = kubectl(manifest(name));
      if (applied.status !== 0) throw new Error(applied.stderr);
      const returned = performance.now();
      await eventually(() => converged(kc, name), {
        what: `${name} converged`,
        timeout: 60_000,
        interval: 25,
      });
      const done = performance.now();
      if (i < 0) log(`convergence: cold first apply ${fmt(done - started, " ms")}`);
      else {
        roundTrips.push(returned - started);
        toConverged.push(done - started);
      }
    }
    const total = summarize(toConverged);
    const kubectlOnly = summarize(roundTrips);
    return {
      id: "convergence",
      title: "Convergence in the local stack",
      figures: { applies, toConverged, roundTrips, total, kubectlOnly },
      targets: [],
      markdown: [
        `${applies} VirtualMCPServers applied one after another with \`kubectl apply\` to the local stack`,
        "(`npm start`: kube-apiserver, MiniStack, the four functions deployed with osls), each timed until its",
        "Deployment, Service and ConfigMap exist and `status.observedGeneration` is 1, polling every 25 ms. A",
        "first, cold apply is excluded. The path: API server → mutating and validating webhooks (HTTPS to the",
        "admission Function URL) → hint on the bus → router → SQS FIFO → reconcile → server-side apply.",
        "",
        "| from `kubectl apply` to | p50 | p95 | max |",
        "|---|---|---|---|",
        `| kubectl returns (admission round trip) | ${fmt(kubectlOnly.p50, " ms")} | ${fmt(kubectlOnly.p95, " ms")} | ${fmt(kubectlOnly.max, " ms")} |`,
        `| children present and status written | ${fmt(total.p50, " ms")} | ${fmt(total.p95, " ms")} | ${fmt(total.max, " ms")} |`,
        "",
        "The emulator's event source mapping polls the queue; on AWS, EventBridge and the SQS poller add their",
        "own latencies, so these figures show the functions' share, not an AWS end-to-end time.",
      ].join("\n"),
    };
  } finally {
    await downLocalStack(dir);
  }
};
