// Parses the vmcp-lambda command line into a command. Pure, so every usage error is tested directly.
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

export type Command =
  | { kind: "control-plane"; action: "up" | "down" | "env"; dir: string }
  | { kind: "control-plane"; action: "install" }
  | { kind: "dev"; dir: string }
  | { kind: "reconcile"; namespace: string; name: string; kubeconfig: string | undefined }
  | { kind: "resync"; namespace: string | undefined; kubeconfig: string | undefined }
  | { kind: "admit"; mutate: boolean; kubeconfig: string | undefined }
  | {
      kind: "webhooks";
      stage: string;
      region: string | undefined;
      caBundleFile: string | undefined;
      functionsUsername: string;
      operatorUsername: string | undefined;
    }
  | { kind: "help" };

export const USAGE = `usage: vmcp-lambda <command>

  control-plane up [--dir DIR]     start etcd + kube-apiserver on 127.0.0.1 with the CRDs installed;
                                   the last line printed is: export KUBECONFIG=<path>
  control-plane env [--dir DIR]    print the export line of the control plane running in DIR
  control-plane down [--dir DIR]   stop it and remove its state
  control-plane install            build kube-apiserver, etcd, kubectl and ToolHive's vmcp and
                                   thv-operator into the cache if missing
  reconcile NAMESPACE/NAME         reconcile one VirtualMCPServer; prints a JSON result
  resync [--namespace NS]          reconcile every VirtualMCPServer; prints a JSON summary
  admit [--mutate]                 an AdmissionReview on stdin, the response on stdout (validating,
                                   or mutating with --mutate)
                                   (these three: --kubeconfig PATH, default $KUBECONFIG)
  dev [--dir DIR]                  the local stack until Ctrl-C: control plane, AWS emulator, the
                                   functions deployed to it, webhooks registered
  webhooks --stage STAGE           print the webhook configurations for a deployed stack (its
    [--region R] [--ca-bundle-file F] [--functions-username U] [--operator-username U]
                                   outputs and path token, read with your AWS credentials), for
                                   kubectl apply -f -; AWS_ENDPOINT_URL set means an emulator;
                                   --operator-username: ToolHive's operator's identity, default
                                   system:serviceaccount:toolhive-system:toolhive-operator
  help                             this text`;

export class UsageError extends Error {}

export function parseCommand(argv: readonly string[], defaultDir: string): Command {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      dir: { type: "string" },
      namespace: { type: "string" },
      kubeconfig: { type: "string" },
      mutate: { type: "boolean" },
      stage: { type: "string" },
      region: { type: "string" },
      "ca-bundle-file": { type: "string" },
      "functions-username": { type: "string" },
      "operator-username": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: false,
  });
  const unknown = Object.keys(values).filter(
    (key) =>
      ![
        "dir",
        "namespace",
        "kubeconfig",
        "mutate",
        "help",
        "stage",
        "region",
        "ca-bundle-file",
        "functions-username",
        "operator-username",
      ].includes(key),
  );
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  if (values.help || positionals.length === 0 || positionals[0] === "help") return { kind: "help" };
  for (const [option, what] of [
    ["dir", "a directory"],
    ["namespace", "a namespace"],
    ["kubeconfig", "a file"],
    ["stage", "a stage name"],
    ["region", "an AWS region"],
    ["ca-bundle-file", "a file"],
    ["functions-username", "a username"],
    ["operator-username", "a username"],
  ] as const) {
    if (values[option] === true || values[option] === "") throw new UsageError(`--${option} needs ${what}`);
  }
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const dir = text(values.dir) ?? defaultDir;
  const kubeconfig = text(values.kubeconfig);
  const [command, action, ...rest] = positionals;
  if (command === "reconcile") {
    const [namespace, name, extra] = (action ?? "").split("/");
    if (!namespace || !name || extra !== undefined || rest.length > 0) {
      throw new UsageError(
        `reconcile needs one NAMESPACE/NAME${action ? `, not "${[action, ...rest].join(" ")}"` : ""}`,
      );
    }
    return { kind: "reconcile", namespace, name, kubeconfig };
  }
  if (command === "admit" && action === undefined)
    return { kind: "admit", mutate: values.mutate === true, kubeconfig };
  if (command === "resync" && action === undefined)
    return { kind: "resync", namespace: text(values.namespace), kubeconfig };
  // Beside the default control plane's directory, so `dev` and `control-plane up` never share one.
  if (command === "dev" && action === undefined)
    return { kind: "dev", dir: text(values.dir) ?? join(dirname(defaultDir), "local-stack") };
  if (command === "webhooks" && action === undefined) {
    const stage = text(values.stage);
    if (!stage)
      throw new UsageError("webhooks needs --stage STAGE, the stage you deployed (osls deploy --stage)");
    return {
      kind: "webhooks",
      stage,
      region: text(values.region),
      caBundleFile: text(values["ca-bundle-file"]),
      functionsUsername: text(values["functions-username"]) ?? "vmcp-lambda-functions",
      operatorUsername: text(values["operator-username"]),
    };
  }
  if (command === "control-plane" && rest.length === 0) {
    if (action === "up" || action === "down" || action === "env")
      return { kind: "control-plane", action, dir };
    if (action === "install") return { kind: "control-plane", action };
    throw new UsageError(
      `control-plane needs one of up, down, env, install${action ? `, not "${action}"` : ""}`,
    );
  }
  throw new UsageError(`unknown command "${positionals.join(" ")}"`);
}
