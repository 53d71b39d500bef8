// ToolHive's real vMCP runtime, run as the Deployment the functions wrote says: its args, its env (Secrets
// resolved the way the kubelet would), its ConfigMap mounted at its path, and in dynamic mode the token of
// its ServiceAccount with the in-cluster files the runtime insists on. A private mount namespace
// (`unshare -m`, the tests run as root) holds those files at the standard paths; the host is untouched.
// Two deliberate departures: --host is 127.0.0.1 (tests stay on loopback) and --port a free port.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { freePort, isListening } from "../../infra/local/control-plane/network.ts";
import { runtimeBinary } from "../../infra/local/control-plane/runtimes.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { stopChild } from "./child-process.ts";

type Any = Record<string, any>;
const SERVICE_ACCOUNT_DIR = "/run/secrets/kubernetes.io/serviceaccount"; // /var/run is /run
/** controller-runtime's metrics listener in the runtime's backend watcher: ":8080", fixed. */
const METRICS_PORT = 8080;

export interface RunningRuntime {
  readonly url: string;
  readonly port: number;
  log(): string;
  /** The Deployment's probe paths answered by the running runtime: path → HTTP status. */
  probe(path: string): Promise<number>;
  stop(): Promise<void>;
}

// The functions have no Secret kind (they never read one); the test reads as the kubelet would.
async function secretValue(kc: KubeConfig, namespace: string, ref: { name: string; key: string }) {
  const response = await rawRequest(kc, `/api/v1/namespaces/${namespace}/secrets/${ref.name}`);
  const value = response.status === 200 ? (JSON.parse(response.body) as Any).data?.[ref.key] : undefined;
  if (value === undefined) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
  return Buffer.from(value, "base64").toString("utf8");
}

async function serviceAccountToken(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const response = await rawRequest(kc, `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} }),
  });
  if (response.status !== 201) throw new Error(`TokenRequest for ${name} failed: ${response.body}`);
  return (JSON.parse(response.body) as { status: { token: string } }).status.token;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export async function startRuntime(
  kc: KubeConfig,
  namespace: string,
  name: string,
  version: string,
): Promise<RunningRuntime> {
  const deployment = (await getObject(kc, "Deployment", namespace, name)) as Any;
  const pod = deployment.spec.template.spec as Any;
  const container = pod.containers[0] as Any;
  const dir = mkdtempSync(join(tmpdir(), "vmcp-runtime-"));
  const script: string[] = ["set -e", "mount -t tmpfs tmpfs /run"];

  // The ConfigMap volumes, at their mount paths (all under /etc: an overlay adds them to the host's /etc).
  const upper = join(dir, "etc");
  for (const mount of container.volumeMounts as Any[]) {
    const volume = (pod.volumes as Any[]).find((v) => v.name === mount.name);
    if (!volume?.configMap || !String(mount.mountPath).startsWith("/etc/"))
      throw new Error(`cannot provide volume ${mount.name} at ${mount.mountPath}`);
    const configMap = (await getObject(kc, "ConfigMap", namespace, volume.configMap.name)) as Any;
    const target = join(upper, String(mount.mountPath).slice("/etc/".length));
    script.push(`mkdir -p ${quote(target)}`);
    for (const [key, value] of Object.entries(configMap.data as Record<string, string>)) {
      const file = join(dir, `cm-${key}`);
      writeFileSync(file, value);
      script.push(`cp ${quote(file)} ${quote(join(target, key))}`);
    }
  }
  script.push(
    `mkdir -p ${quote(join(dir, "work"))}`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${quote(upper)},workdir=${quote(join(dir, "work"))} /etc`,
  );

  const env: Record<string, string> = { PATH: "/usr/bin:/bin" };
  for (const entry of container.env as Any[]) {
    env[entry.name] = entry.valueFrom?.secretKeyRef
      ? await secretValue(kc, namespace, entry.valueFrom.secretKeyRef)
      : String(entry.value ?? "");
  }
  if (pod.automountServiceAccountToken !== false) {
    const account = join(dir, "serviceaccount");
    script.push(`mkdir -p ${SERVICE_ACCOUNT_DIR}`, `cp ${quote(account)}/* ${SERVICE_ACCOUNT_DIR}/`);
    mkdirSync(account);
    writeFileSync(join(account, "token"), await serviceAccountToken(kc, namespace, pod.serviceAccountName));
    writeFileSync(join(account, "ca.crt"), Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64"));
    writeFileSync(join(account, "namespace"), namespace);
    const server = new URL(kc.getCurrentCluster()?.server ?? "");
    env.KUBERNETES_SERVICE_HOST = server.hostname;
    env.KUBERNETES_SERVICE_PORT = server.port;
  }

  if (pod.automountServiceAccountToken !== false && (await isListening(METRICS_PORT)))
    throw new Error(
      `port ${METRICS_PORT} is taken: the vMCP runtime's metrics listener binds it on every interface in dynamic mode (no flag moves it), and without it the runtime's backend watcher stops; free the port`,
    );
  const port = await freePort();
  const args = (container.args as string[]).map((arg) =>
    arg.startsWith("--host=") ? "--host=127.0.0.1" : arg.startsWith("--port=") ? `--port=${port}` : arg,
  );
  script.push(`exec ${[runtimeBinary(version), ...args].map(quote).join(" ")}`);
  writeFileSync(join(dir, "run.sh"), script.join("\n"));

  let output = "";
  const child: ChildProcess = spawn(
    "unshare",
    ["-m", "--propagation", "private", "bash", join(dir, "run.sh")],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const probe = async (path: string) => {
    try {
      return (await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) })).status;
    } catch {
      return 0;
    }
  };
  // Ready as the kubelet would see it: the readiness probe's path answers 200. A runtime that exited never is.
  const readiness = container.readinessProbe.httpGet.path as string;
  const exited = new AbortController();
  child.once("exit", (code) => exited.abort(new Error(`vmcp ${version} exited (${code})`)));
  await eventually(async () => (await probe(readiness)) === 200, {
    what: `vmcp ${version} ready`,
    timeout: 180_000,
    signal: exited.signal,
  }).catch((error: Error) => {
    throw new Error(`${error.message}:\n${output}`, { cause: error });
  });
  return {
    url,
    port,
    log: () => output,
    probe,
    stop: () => stopChild(child, dir),
  };
}
