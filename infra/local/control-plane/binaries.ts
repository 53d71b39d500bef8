// Where the control plane's binaries live, and building them when they are missing.
// kube-apiserver, kubectl and etcd come from their Go modules (no registry ships them); the build is cached
// per version.
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// v1.34.4: the newest 1.34 patch whose staging modules all verify against the Go checksum database.
export const KUBERNETES_VERSION = "v1.34.4";
export const ETCD_VERSION = "v3.6.16";

const BUILD_SCRIPT = fileURLToPath(new URL("../build-control-plane.sh", import.meta.url));

export interface Binaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
  readonly kubectl: string;
}

export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.VMCP_LAMBDA_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "vmcp-lambda");
}

export function binaryPaths(cache: string = cacheDirectory()): Binaries {
  const kube = join(cache, "bin", `kube-apiserver-${KUBERNETES_VERSION}`);
  return {
    kubeApiserver: join(kube, "kube-apiserver"),
    kubectl: join(kube, "kubectl"),
    etcd: join(cache, "bin", `etcd-${ETCD_VERSION}`, "etcd"),
  };
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

export async function missingBinaries(paths: Binaries = binaryPaths()): Promise<string[]> {
  const all = Object.values(paths);
  const present = await Promise.all(all.map(executable));
  return all.filter((_, i) => !present[i]);
}

/** Builds whatever is missing; progress goes to stderr. Resolves with the paths once all exist. */
export async function ensureBinaries(cache: string = cacheDirectory()): Promise<Binaries> {
  const paths = binaryPaths(cache);
  if ((await missingBinaries(paths)).length === 0) return paths;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT], {
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        VMCP_LAMBDA_CACHE: cache,
        VMCP_K8S_VERSION: KUBERNETES_VERSION,
        VMCP_ETCD_VERSION: ETCD_VERSION,
      },
    });
    child.on("error", reject);
    child.on("exit", (status) => resolve(status ?? 1));
  });
  if (code === 3)
    throw new Error("Go is required to build kube-apiserver and etcd; install Go 1.24 or newer");
  if (code !== 0) throw new Error(`building the control plane failed (exit ${code}); see the output above`);
  const still = await missingBinaries(paths);
  if (still.length > 0) throw new Error(`the build finished but these are missing: ${still.join(", ")}`);
  return paths;
}
