// `vmcp-lambda dev` (npm start): the local stack. For now a control plane with the CRDs installed,
// running until Ctrl-C, which stops everything it started.
import { binaryPaths } from "./control-plane/binaries.ts";
import { down, exportLine, up } from "./control-plane/plane.ts";

export async function runDev(dir: string, progress: (line: string) => void): Promise<number> {
  const plane = await up({ dir, ownerPid: process.pid, log: progress });
  process.stdout.write(
    [
      "",
      "The local control plane is running. In another shell:",
      "",
      `  ${exportLine(plane.kubeconfig)}`,
      `  alias kubectl=${binaryPaths().kubectl}   # a kubectl of the same version, built with the control plane`,
      "  kubectl apply -f examples/",
      "  kubectl get vmcp,mcpg,mcpserver,extauth -A",
      "",
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  progress("stopping");
  await down({ dir });
  return 0;
}
