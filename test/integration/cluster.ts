// What integration tests share: a client for the run's control plane, a namespace per test file, kubectl.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";
import { rejectedConfigs } from "../runtime/written-configs.ts";

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject("kubeconfig"));
  return kc;
}

/** A fresh namespace for the calling test file, created before its tests and deleted after them. */
export function useNamespace(prefix: string): { readonly name: string } {
  const namespace = { name: `${prefix}-${randomBytes(3).toString("hex")}` };
  const core = () => kubeConfig().makeApiClient(CoreV1Api);
  beforeAll(async () => {
    await core().createNamespace({ body: { metadata: { name: namespace.name } } });
  });
  afterAll(async () => {
    // Every configuration the file's tests made the functions write must be one the runtime accepts.
    const rejected = await rejectedConfigs(kubeConfig(), namespace.name);
    // Without a namespace controller it stays Terminating; the control plane goes at the end of the run.
    await core().deleteNamespace({ name: namespace.name });
    if (rejected.length > 0) throw new Error(`vmcp validate rejected:\n${rejected.join("\n")}`);
  });
  return namespace;
}

export interface KubectlResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the kubectl built with the control plane, against the run's control plane. */
export function kubectl(args: readonly string[], input?: string): KubectlResult {
  const result = spawnSync(inject("kubectl"), [`--kubeconfig=${inject("kubeconfig")}`, ...args], {
    input,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** kubectl without blocking the event loop: needed when this process also serves the API server's webhooks. */
export function kubectlAsync(args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject("kubectl"), [`--kubeconfig=${inject("kubeconfig")}`, ...args], {
      timeout: 30_000,
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
    child.once("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}
