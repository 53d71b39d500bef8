// The real runtime as the judge of the embedded authorization server's file. `vmcp validate` does not read
// authserver-config.yaml (only `serve` does, from config.yaml's directory), so the judge is `vmcp serve`:
// the file is accepted once the runtime logs that its authorization server is initialized, which it does
// after loading the file, validating it and reading the signing key and HMAC secret files. Those files sit
// at the paths the pod mounts them, under /etc, in a private mount namespace (an overlay over /etc; the
// tests run as root, the host is untouched); secret env vars get placeholders, as the loader only needs
// them set. The runtime is stopped as soon as it has said either way.
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../infra/local/control-plane/network.ts";
import { runtimeBinary } from "../../infra/local/control-plane/runtimes.ts";
import { stopChild } from "./child-process.ts";

const INITIALIZED = "embedded authorization server initialized";

export interface ServeVerdict {
  readonly initialized: boolean;
  readonly log: string;
}

type Volume = { projected?: { sources?: { secret?: { items?: { path: string }[] } }[] }; name: string };
type Mount = { name: string; mountPath: string };

/** Made-up contents for every file the Deployment's projected Secret volumes give: a P-256 key for .pem. */
export function secretFilesOf(deployment: unknown): Record<string, string> {
  const pod = (
    deployment as {
      spec: { template: { spec: { volumes?: Volume[]; containers: { volumeMounts?: Mount[] }[] } } };
    }
  ).spec.template.spec;
  const files: Record<string, string> = {};
  for (const volume of pod.volumes ?? []) {
    const mount = pod.containers[0]?.volumeMounts?.find((m) => m.name === volume.name);
    for (const source of volume.projected?.sources ?? [])
      for (const item of source.secret?.items ?? [])
        if (mount)
          files[join(mount.mountPath, item.path)] = item.path.endsWith(".pem")
            ? (generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
                type: "pkcs8",
                format: "pem",
              }) as string)
            : randomBytes(32).toString("base64");
  }
  return files;
}

/** `vmcp serve` over config.yaml and authserver-config.yaml, with `files` (absolute paths under /etc). */
export async function serveAuthServer(
  version: string,
  configYaml: string,
  authServerYaml: string,
  files: Record<string, string>,
  envNames: readonly string[],
): Promise<ServeVerdict> {
  const dir = mkdtempSync(join(tmpdir(), "vmcp-authserver-"));
  writeFileSync(join(dir, "config.yaml"), configYaml);
  writeFileSync(join(dir, "authserver-config.yaml"), authServerYaml);
  const upper = join(dir, "etc-upper");
  mkdirSync(upper, { recursive: true });
  mkdirSync(join(dir, "scratch"));
  for (const [path, content] of Object.entries(files)) {
    if (!path.startsWith("/etc/"))
      throw new Error(`${path}: only files under /etc can be given to the runtime`);
    const inUpper = join(upper, path.slice("/etc/".length));
    mkdirSync(join(inUpper, ".."), { recursive: true });
    writeFileSync(inUpper, content, { mode: 0o400 });
  }
  const port = await freePort();
  const script = [
    // The overlay's upper and work directories on a tmpfs of their own (an overlay cannot stack on one).
    `mount -t tmpfs tmpfs ${dir}/scratch`,
    `cp -a ${upper} ${dir}/scratch/upper && mkdir ${dir}/scratch/work`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/scratch/upper,workdir=${dir}/scratch/work /etc`,
    `exec ${runtimeBinary(version)} serve --config=${dir}/config.yaml --host=127.0.0.1 --port=${port}`,
  ].join(" && ");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    UNSTRUCTURED_LOGS: "false",
  };
  for (const name of envNames) env[name] ??= `placeholder-${name.toLowerCase()}`;
  const child = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", script], { env });
  let log = "";
  const initialized = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    const collect = (chunk: Buffer) => {
      log += chunk;
      if (log.includes(INITIALIZED)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(log.includes(INITIALIZED));
    });
  });
  await stopChild(child, dir);
  return { initialized, log };
}
