#!/usr/bin/env node
// The vmcp-lambda command: the same code as the Lambda functions, for operators and tests.
// Progress goes to stderr; stdout carries only what a script may consume (the export line).
import { KubeConfig } from "@kubernetes/client-node";
import { ensureBinaries } from "../../infra/local/control-plane/binaries.ts";
import { defaultDirectory, down, env, exportLine, up } from "../../infra/local/control-plane/plane.ts";
import { ensureToolhiveBinaries } from "../../infra/local/control-plane/runtimes.ts";
import { runDev } from "../../infra/local/dev.ts";
import { admit } from "../admission/admit.ts";
import { lookUp, lookUpOwner } from "../admission/lookups.ts";
import { referencesOf } from "../core/admission/validate.ts";
import { namespacedName } from "../core/delivery/change-hint.ts";
import { DefaultController, readSettings, VmcpImage } from "../lambda/settings.ts";
import { reconcileOne } from "../reconcile/reconcile-one.ts";
import { resyncAll } from "../resync/resync-all.ts";
import { parseCommand, USAGE, UsageError } from "./command-line.ts";
import { renderStackWebhooks } from "./webhooks.ts";

const progress = (line: string) => process.stderr.write(`[vmcp-lambda] ${line}\n`);

function loadKubeconfig(path: string | undefined): KubeConfig {
  const file = path ?? process.env.KUBECONFIG;
  if (!file) throw new Error("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/**
 * The image and runtime version the functions deploy (VMCP_IMAGE, VMCP_RUNTIME_VERSION) and who controls a
 * VirtualMCPServer without the controller label (VMCP_DEFAULT_CONTROLLER), as in the Lambdas.
 */
function vmcpSettings() {
  const { vmcp, controller } = readSettings(
    { vmcp: VmcpImage, controller: DefaultController },
    process.env,
    "the command line",
  );
  return { ...vmcp, controller };
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv, defaultDirectory());
  switch (command.kind) {
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case "dev":
      return runDev(command.dir, progress);
    case "webhooks":
      process.stdout.write(await renderStackWebhooks(command));
      return 0;
    case "reconcile":
      printJson(
        await reconcileOne(
          loadKubeconfig(command.kubeconfig),
          command.namespace,
          command.name,
          vmcpSettings(),
        ),
      );
      return 0;
    case "admit": {
      // Optional here: without one, every lookup fails and the webhook decision fails closed.
      const kc =
        command.kubeconfig || process.env.KUBECONFIG ? loadKubeconfig(command.kubeconfig) : undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        throw new Error(`stdin is not JSON: ${(error as Error).message}`);
      }
      const result = await admit(body, command.mutate ? "mutate" : "validate", {
        runtimeVersion: vmcpSettings().runtime.version,
        controller: vmcpSettings().controller,
        ...(kc ? { lookUpOwner: (namespace: string, name: string) => lookUpOwner(kc, namespace, name) } : {}),
        lookUp: async (request) => {
          if (kc) return lookUp(kc, request);
          const error = { error: "no kubeconfig to ask the API server with" };
          return {
            group: error,
            authConfigs: new Map([...referencesOf(request).authConfigs.keys()].map((k) => [k, error])),
          };
        },
        publisher: {
          publish: async (hint) => {
            progress(`change hint ${JSON.stringify(hint)}`);
          },
        },
      });
      if (result.status !== 200) throw new Error(result.error);
      printJson(result.review);
      return 0;
    }
    case "resync": {
      const options = { ...vmcpSettings(), namespace: command.namespace };
      const onError = (object: { namespace: string; name: string }, error: unknown) =>
        progress(`${namespacedName(object)}: ${error instanceof Error ? error.message : String(error)}`);
      const { deferred: _none, ...summary } = await resyncAll(loadKubeconfig(command.kubeconfig), {
        ...options,
        onError,
      });
      printJson(summary);
      return summary.failed > 0 ? 1 : 0;
    }
    case "control-plane":
      switch (command.action) {
        case "install": {
          const binaries = await ensureBinaries();
          progress(`control plane binaries ready: ${Object.values(binaries).join(", ")}`);
          const toolhive = await ensureToolhiveBinaries();
          progress(`ToolHive binaries ready: ${toolhive.join(", ")}`);
          return 0;
        }
        case "up": {
          const plane = await up({ dir: command.dir, log: progress });
          process.stdout.write(`${exportLine(plane.kubeconfig)}\n`);
          return 0;
        }
        case "env":
          process.stdout.write(`${await env(command.dir)}\n`);
          return 0;
        case "down":
          progress(
            (await down({ dir: command.dir })) ? "control plane stopped" : "no control plane was running",
          );
          return 0;
      }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vmcp-lambda: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
