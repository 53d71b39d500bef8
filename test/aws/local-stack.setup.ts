// Vitest global setup of the AWS suite: the whole local stack (control plane, emulator, the stack deployed
// with osls, webhooks registered), as `npm start` brings it up. VMCP_AWS_ENDPOINT points it at another
// LocalStack-compatible endpoint instead of MiniStack.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { StackOutputs } from "../../infra/local/aws-stack/deploy.ts";
import { downLocalStack, upLocalStack } from "../../infra/local/aws-stack/stack.ts";
import { binaryPaths } from "../../infra/local/control-plane/binaries.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    kubectl: string;
    awsEndpoint: string;
    awsCaPem: string;
    awsCaFile: string;
    stackOutputs: StackOutputs;
    repoRoot: string;
    deployedTemplate: unknown;
  }
}

export default async function setup(project: TestProject) {
  const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-aws-"));
  const started = Date.now();
  const stack = await upLocalStack({
    repoRoot,
    dir,
    log: (line) => console.log(`[aws] ${line}`),
  });
  console.log(`[aws] local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
  project.provide("kubeconfig", stack.plane.kubeconfig);
  project.provide("kubectl", binaryPaths().kubectl);
  project.provide("awsEndpoint", stack.target.endpoint);
  project.provide("awsCaPem", stack.target.caPem ?? "");
  project.provide("awsCaFile", stack.target.caFile ?? "");
  project.provide("stackOutputs", stack.outputs);
  project.provide("repoRoot", repoRoot);
  project.provide("deployedTemplate", stack.template);
  return async () => {
    await downLocalStack(dir);
  };
}
