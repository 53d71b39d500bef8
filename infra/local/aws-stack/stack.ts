// The whole local stack on one machine, no Docker: the control plane, the functions' RBAC, the AWS
// emulator, the stack deployed to it, and the webhooks pointing at its admission Function URL over HTTPS.
// The functions reach the API server as their own least-privileged identity, never as the admin.
import { randomBytes } from "node:crypto";
import { readFile, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { renderWebhooks, webhookBaseUrl } from "../../../functions/admission/webhook-config.ts";
import { applyObject } from "../../../functions/kube/api.ts";
import { rawRequest } from "../../../functions/kube/raw-request.ts";
import { FUNCTIONS_USER } from "../control-plane/credentials.ts";
import { layout } from "../control-plane/layout.ts";
import { addCompanion, down, type RunningControlPlane, up } from "../control-plane/plane.ts";
import { type AwsTarget, clientConfig } from "./aws-target.ts";
import { servingCertificate } from "./certificates.ts";
import { deployStack, LOCAL_STAGE, putSecrets, type StackOutputs, stackOutputs } from "./deploy.ts";
import { emulatorEndpointOverride, ensureEmulator, startEmulator } from "./emulator.ts";

const INSTALLER = "vmcp-lambda-install";

export interface LocalStackOptions {
  readonly repoRoot: string;
  readonly dir: string;
  readonly log: (line: string) => void;
  /** Stop everything when this process goes, however it goes. */
  readonly ownerPid?: number;
}

export interface RunningLocalStack {
  readonly plane: RunningControlPlane;
  readonly target: AwsTarget;
  readonly outputs: StackOutputs;
  readonly webhookBaseUrl: string;
  readonly dir: string;
  /** The CloudFormation template osls compiled and deployed, read right after the deploy. */
  readonly template: unknown;
}

async function applyManifest(kc: KubeConfig, path: string, edit = (o: Record<string, unknown>) => o) {
  for (const document of parseAllDocuments(await readFile(path, "utf8")))
    await applyObject(kc, edit(document.toJS()) as Parameters<typeof applyObject>[1], {
      fieldManager: INSTALLER,
    });
}

async function startAws(options: LocalStackOptions, controlPlaneDir: string): Promise<AwsTarget> {
  const override = emulatorEndpointOverride();
  if (override) {
    options.log(`using the AWS endpoint ${override} (VMCP_AWS_ENDPOINT)`);
    return { endpoint: override };
  }
  const { python } = await ensureEmulator(options.repoRoot, options.log);
  const certificate = await servingCertificate();
  const dir = join(options.dir, "emulator");
  const emulator = await startEmulator({ dir, python, ...certificate, log: options.log });
  await addCompanion(controlPlaneDir, "ministack", emulator.pid);
  return { endpoint: emulator.endpoint, caFile: join(dir, "emulator.crt"), caPem: certificate.caPem };
}

/** Probes with a server-side dry run until the API server gets the admission function's answer. */
async function waitForWebhooks(kc: KubeConfig, timeoutMs = 60_000): Promise<void> {
  const probe = {
    apiVersion: "toolhive.stacklok.dev/v1beta1",
    kind: "VirtualMCPServer",
    metadata: { name: "webhook-probe", namespace: "default" },
    spec: { groupRef: { name: "no-such-group" }, incomingAuth: { type: "anonymous" } },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await rawRequest(
      kc,
      "/apis/toolhive.stacklok.dev/v1beta1/namespaces/default/virtualmcpservers?dryRun=All",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(probe) },
    );
    if (response.body.includes("not found in namespace")) return;
    if (Date.now() > deadline) throw new Error(`the admission webhook never answered: ${response.body}`);
    await sleep(250);
  }
}

export async function upLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const { log } = options;
  const controlPlaneDir = join(options.dir, "control-plane");
  const plane = await up({ dir: controlPlaneDir, ownerPid: options.ownerPid ?? process.pid, log });
  try {
    const files = layout(plane.dir);
    const admin = new KubeConfig();
    admin.loadFromFile(plane.kubeconfig);
    await applyManifest(admin, join(options.repoRoot, "infra", "rbac", "functions.yaml"));
    log(`the functions act as ${FUNCTIONS_USER}, bound by infra/rbac/functions.yaml`);
    const target = await startAws(options, plane.dir);
    const webhookToken = randomBytes(24).toString("hex");
    await putSecrets(target, LOCAL_STAGE, {
      "webhook-token": webhookToken,
      "kube-token": (await readFile(files.functionsToken, "utf8")).trim(),
    });
    log("deploying serverless.yml to the emulator (osls deploy --stage local)");
    const started = Date.now();
    await deployStack({
      repoRoot: options.repoRoot,
      target,
      stage: LOCAL_STAGE,
      params: {
        kubeServer: `https://127.0.0.1:${plane.state.apiserver.port}`,
        kubeCaData: Buffer.from(await readFile(files.servingCert)).toString("base64"),
        functionsUsername: FUNCTIONS_USER,
      },
      log,
    });
    log(`deployed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const template = JSON.parse(
      await readFile(
        join(options.repoRoot, ".serverless", "cloudformation-template-update-stack.json"),
        "utf8",
      ),
    );
    const outputs = await stackOutputs(clientConfig(target), LOCAL_STAGE);
    const baseUrl = webhookBaseUrl(outputs.AdmissionFunctionUrl, webhookToken, target.endpoint);
    const configs = renderWebhooks({
      baseUrl,
      caBundle: target.caPem ? Buffer.from(target.caPem).toString("base64") : "",
      functionsUsername: FUNCTIONS_USER,
    });
    for (const config of configs) await applyObject(admin, config as never, { fieldManager: INSTALLER });
    await waitForWebhooks(admin);
    log("webhooks registered: the API server calls the admission function over HTTPS");
    return { plane, target, outputs, webhookBaseUrl: baseUrl, dir: options.dir, template };
  } catch (error) {
    await down({ dir: controlPlaneDir });
    throw error;
  }
}

/** Stops the emulator and the control plane (the emulator is the control plane's companion). */
export async function downLocalStack(dir: string): Promise<boolean> {
  const wasRunning = await down({ dir: join(dir, "control-plane") });
  await rm(join(dir, "emulator"), { recursive: true, force: true });
  await rmdir(dir).catch(() => undefined); // Only when nothing else is left in it.
  return wasRunning;
}
