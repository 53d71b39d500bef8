// The functions' own identity on the run's control plane, as they have it on EKS: the token the control
// plane issued for vmcp-lambda-functions, bound by infra/rbac/functions.yaml (applied here as the admin).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import { parseAllDocuments } from "yaml";
import { applyObject } from "../../functions/kube/api.ts";
import { renderKubeconfig } from "../../infra/local/control-plane/kubeconfig.ts";
import { layout } from "../../infra/local/control-plane/layout.ts";
import { type KubectlResult, kubeConfig, kubectl } from "./cluster.ts";

const RBAC = new URL("../../infra/rbac/functions.yaml", import.meta.url).pathname;

/** `kubectl apply -f infra/rbac/functions.yaml`, as an installer would. */
export async function applyFunctionsRbac(): Promise<void> {
  for (const document of parseAllDocuments(readFileSync(RBAC, "utf8")))
    await applyObject(kubeConfig(), document.toJS(), { fieldManager: "test-installer" });
}

/** The bearer token of the functions' identity; the control plane keeps it next to its kubeconfig. */
export function functionsToken(): string {
  return readFileSync(layout(dirname(inject("kubeconfig"))).functionsToken, "utf8").trim();
}

/** A kubeconfig for the run's API server that acts as the functions. */
export function functionsKubeconfigText(): string {
  const cluster = kubeConfig().getCurrentCluster();
  if (!cluster?.caData) throw new Error("the run's kubeconfig names no cluster CA");
  return renderKubeconfig({
    server: cluster.server,
    caPem: Buffer.from(cluster.caData, "base64").toString("utf8"),
    token: functionsToken(),
    name: "vmcp-lambda-functions",
  });
}

export function functionsKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(functionsKubeconfigText());
  return kc;
}

/** The same, as a file for the command line (in a fresh temporary directory, mode 0600). */
export function functionsKubeconfigFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "vmcp-lambda-functions-")), "kubeconfig");
  writeFileSync(file, functionsKubeconfigText(), { mode: 0o600 });
  return file;
}

/** kubectl as the functions: the run's kubeconfig for the server, their token for who is asking. */
export function kubectlAsFunctions(args: readonly string[]): KubectlResult {
  return kubectl([`--token=${functionsToken()}`, ...args]);
}
