// Parses the vmcp-lambda command line into a command. Pure, so every usage error is tested directly.
import { parseArgs } from "node:util";

export type Command =
  | { kind: "control-plane"; action: "up" | "down" | "env"; dir: string }
  | { kind: "control-plane"; action: "install" }
  | { kind: "dev"; dir: string }
  | { kind: "help" };

export const USAGE = `usage: vmcp-lambda <command>

  control-plane up [--dir DIR]     start etcd + kube-apiserver on 127.0.0.1 with the CRDs installed;
                                   the last line printed is: export KUBECONFIG=<path>
  control-plane env [--dir DIR]    print the export line of the control plane running in DIR
  control-plane down [--dir DIR]   stop it and remove its state
  control-plane install            build kube-apiserver, etcd and kubectl into the cache if missing
  dev [--dir DIR]                  the local stack: a control plane until Ctrl-C
  help                             this text`;

export class UsageError extends Error {}

export function parseCommand(argv: readonly string[], defaultDir: string): Command {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { dir: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: false,
  });
  const unknown = Object.keys(values).filter((key) => key !== "dir" && key !== "help");
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  if (values.help || positionals.length === 0 || positionals[0] === "help") return { kind: "help" };
  if (values.dir === true || values.dir === "") throw new UsageError("--dir needs a directory");
  const dir = typeof values.dir === "string" ? values.dir : defaultDir;
  const [command, action, ...rest] = positionals;
  if (command === "dev" && action === undefined) return { kind: "dev", dir };
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
