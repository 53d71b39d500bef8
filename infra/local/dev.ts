// `vmcp-lambda dev` (npm start): the local stack — control plane, AWS emulator, the stack deployed to it,
// webhooks registered — running until Ctrl-C, which stops everything it started. Applies nothing itself.
import { fileURLToPath } from "node:url";
import { downLocalStack, upLocalStack } from "./aws-stack/stack.ts";
import { binaryPaths } from "./control-plane/binaries.ts";
import { exportLine } from "./control-plane/plane.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function runDev(dir: string, progress: (line: string) => void): Promise<number> {
  const started = Date.now();
  const stop = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const stack = await upLocalStack({ repoRoot: REPO_ROOT, dir, log: progress });
  process.stdout.write(
    [
      "",
      `The local stack is up (${((Date.now() - started) / 1000).toFixed(0)} s): kube-apiserver, AWS emulator at ${stack.target.endpoint},`,
      "the admission, router, reconcile and resync functions deployed to it, and the webhooks registered.",
      "",
      "In another shell:",
      "",
      `  ${exportLine(stack.plane.kubeconfig)}`,
      `  alias kubectl=${binaryPaths().kubectl}   # a kubectl of the same version, built with the control plane`,
      "  kubectl apply -f examples/vmcp_inline_outgoing_auth.yaml",
      "  kubectl get vmcp,deploy,svc,cm,sa,role     # children and status within seconds",
      "  kubectl apply -f examples/                 # all of them; the admission function validates each",
      "",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  // Signal listeners alone do not keep Node running.
  const keepAlive = setInterval(() => {}, 60_000);
  await stop;
  clearInterval(keepAlive);
  progress("stopping");
  await downLocalStack(dir);
  return 0;
}
