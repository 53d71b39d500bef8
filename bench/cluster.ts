// What the benchmarks that count the API server's requests share: a fresh control plane per scale (nothing
// else may talk to it while requests are counted, and without a controller-manager nothing created can be
// fully deleted), namespaces seeded with a group and running members, and VirtualMCPServers applied a few
// at a time.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Mode } from "../functions/core/kinds/toolhive.ts";
import { ensureBinaries } from "../infra/local/control-plane/binaries.ts";
import { down, up } from "../infra/local/control-plane/plane.ts";
import { patchStatus, userApply } from "../infra/local/test-kit/actors.ts";
import { inParallel } from "../infra/local/test-kit/in-parallel.ts";
import { mcpGroup, mcpServer, virtualMCPServer } from "../infra/local/test-kit/toolhive-objects.ts";

export { countRequests } from "../infra/local/test-kit/actors.ts";

export interface BenchPlane {
  readonly kc: KubeConfig;
  readonly kubeconfig: string;
}

export const GROUP = "tools";

/** Runs `work` against a control plane of its own, started in a fresh directory and always stopped. */
export async function withFreshControlPlane<T>(
  label: string,
  work: (plane: BenchPlane) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `vmcp-lambda-bench-${label}-`));
  try {
    // ownerPid: the control plane's guardian stops it even if this process is killed.
    const plane = await up({ dir, ownerPid: process.pid, binaries: await ensureBinaries() });
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    return await work({ kc, kubeconfig: plane.kubeconfig });
  } finally {
    await down({ dir });
  }
}

/** A namespace with the group and its members, running, as ToolHive's controllers would report them. */
export async function seedNamespace(kc: KubeConfig, namespace: string, members: readonly string[]) {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await userApply(kc, namespace, mcpGroup(GROUP), ...members.map((m) => mcpServer(m, { group: GROUP })));
  for (const member of members)
    await patchStatus(kc, "MCPServer", namespace, member, {
      phase: "Running",
      url: `http://mcp-${member}-proxy:8080/mcp`,
    });
}

/** Static mode discovers the group's members itself; dynamic mode (no outgoingAuth) leaves it to the pod. */
export const vmcpOf = (name: string, mode: Mode) =>
  virtualMCPServer(name, {
    group: GROUP,
    spec: mode === "static" ? { outgoingAuth: { source: "inline" } } : {},
  });

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export async function applyVmcps(kc: KubeConfig, keys: readonly ObjectKey[], mode: Mode) {
  await inParallel(keys, ({ namespace, name }) => userApply(kc, namespace, vmcpOf(name, mode)));
}
