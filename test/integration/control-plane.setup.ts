// Vitest global setup: one real etcd + kube-apiserver for the integration run. The guardian started by
// `up({ ownerPid })` stops it even if this process is killed, so no run leaves processes or state behind.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBinaries } from "../../infra/local/control-plane/binaries.ts";
import { down, up } from "../../infra/local/control-plane/plane.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    kubectl: string;
  }
}

export default async function setup(project: TestProject) {
  const binaries = await ensureBinaries();
  const dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-it-"));
  const started = Date.now();
  const plane = await up({ dir, ownerPid: process.pid, binaries });
  console.log(`[integration] control plane ready in ${Date.now() - started} ms (${dir})`);
  project.provide("kubeconfig", plane.kubeconfig);
  project.provide("kubectl", binaries.kubectl);
  return async () => {
    await down({ dir });
  };
}
