// ToolHive's real operator (thv-operator) beside the run's control plane, as a cluster runs it: as its own
// ServiceAccount, bound by the RBAC of ToolHive's Helm chart, read from the Go module at test time so the
// operator has exactly the rights its chart gives it and the repository holds no ToolHive files.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { access, constants } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CoreV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { DEFAULT_RUNTIME_VERSION } from "../../functions/core/runtime/versions.ts";
import { renderKubeconfig } from "../../infra/local/control-plane/kubeconfig.ts";
import { operatorBinary, toolhiveSource } from "../../infra/local/control-plane/runtimes.ts";

export const OPERATOR_NAMESPACE = "toolhive-system";
export const OPERATOR_SERVICE_ACCOUNT = "toolhive-operator";
export const OPERATOR_USERNAME = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`;

/** The chart's controller-gen ClusterRole: plain YAML, no Helm templating. */
const CHART_CLUSTER_ROLE = "deploy/charts/operator/templates/clusterrole/role.yaml";
/** The name templates/clusterrole/rolebinding.yaml gives the binding (cluster scope, the chart's default). */
const CHART_CLUSTER_ROLE_BINDING = "toolhive-operator-manager-rolebinding";
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** The controllers whose "Starting workers" line means the operator reconciles what the tests create. */
const AWAITED_CONTROLLERS = ["MCPServer", "MCPGroup", "VirtualMCPServer"] as const;

export interface OperatorOptions {
  readonly log?: (line: string) => void;
  /**
   * WATCH_NAMESPACE, as the chart's namespace-scope mode sets it: the operator then sees only this
   * namespace, so other test files' objects stay out of its way. Its rights stay cluster-wide.
   */
  readonly watchNamespace?: string;
}

export interface RunningOperator {
  readonly username: string;
  logs(): string;
  stop(): Promise<void>;
}

const isConflict = (error: unknown) => (error as { code?: number }).code === 409;

/** Creates, or leaves what is there: a second operator in one run reuses the first one's objects. */
async function createOnce(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/** The operator's ClusterRole exactly as the chart of the version under test declares it. */
async function chartClusterRole(): Promise<V1ClusterRole> {
  const file = join(await toolhiveSource(DEFAULT_RUNTIME_VERSION), CHART_CLUSTER_ROLE);
  const text = readFileSync(file, "utf8");
  // Rendering Helm is out of scope; a templated role.yaml means the chart changed shape and this must too.
  if (text.includes("{{")) throw new Error(`${file} is templated now; read its rules another way`);
  const role = parseAllDocuments(text)
    .map((document) => document.toJS() as V1ClusterRole | null)
    .find((object) => object?.kind === "ClusterRole");
  if (!role?.metadata?.name || !role.rules) throw new Error(`${file} declares no ClusterRole with rules`);
  return role;
}

async function installIdentity(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const role = await chartClusterRole();
  const roleName = role.metadata?.name as string;
  await createOnce(() => core.createNamespace({ body: { metadata: { name: OPERATOR_NAMESPACE } } }));
  await createOnce(() =>
    core.createNamespacedServiceAccount({
      namespace: OPERATOR_NAMESPACE,
      body: { metadata: { name: OPERATOR_SERVICE_ACCOUNT } },
    }),
  );
  await createOnce(() =>
    rbac.createClusterRole({
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: roleName },
        // The chart's rules alone: with them v0.47.0 starts and reconciles without a single 403.
        rules: role.rules,
      },
    }),
  );
  // The chart's leader-election Role (configmaps, leases, events in the release namespace) is left out:
  // leader election is off here, and the ClusterRole already covers the rest cluster-wide.
  await createOnce(() =>
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name: CHART_CLUSTER_ROLE_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
        subjects: [{ kind: "ServiceAccount", name: OPERATOR_SERVICE_ACCOUNT, namespace: OPERATOR_NAMESPACE }],
      },
    }),
  );
}

/** A kubeconfig that acts as the operator's ServiceAccount, with a token the control plane signed. */
async function operatorKubeconfig(kc: KubeConfig): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caData) throw new Error("the admin kubeconfig names no cluster CA");
  const request = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: OPERATOR_NAMESPACE,
    name: OPERATOR_SERVICE_ACCOUNT,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  if (!request.status?.token) throw new Error("the TokenRequest for the operator returned no token");
  return renderKubeconfig({
    server: cluster.server,
    caPem: Buffer.from(cluster.caData, "base64").toString("utf8"),
    token: request.status.token,
    name: OPERATOR_SERVICE_ACCOUNT,
  });
}

/** The environment of the chart's Deployment that matters out of cluster, and nothing of this process's. */
function operatorEnv(kubeconfig: string, home: string, watchNamespace?: string): NodeJS.ProcessEnv {
  const version = DEFAULT_RUNTIME_VERSION;
  return {
    PATH: "/usr/bin:/bin",
    // A scratch home: the operator writes ~/.config/toolhive/config.yaml, which goes away with the harness.
    HOME: home,
    // Read by the operator's platform detector, which looks for a kubeconfig without the --kubeconfig flag.
    KUBECONFIG: kubeconfig,
    POD_NAMESPACE: OPERATOR_NAMESPACE,
    VMCP_IMAGE: `ghcr.io/stacklok/toolhive/vmcp:${version}`,
    TOOLHIVE_RUNNER_IMAGE: `ghcr.io/stacklok/toolhive/proxyrunner:${version}`,
    TOOLHIVE_USE_CONFIGMAP: "true",
    UNSTRUCTURED_LOGS: "false",
    // Otherwise its telemetry runnable calls ToolHive's update service every 30 minutes.
    TOOLHIVE_SKIP_UPDATE_CHECK: "true",
    ...(watchNamespace ? { WATCH_NAMESPACE: watchNamespace } : {}),
    // TOOLHIVE_ENABLE_STORAGE_VERSION_MIGRATOR stays unset (off), unlike the chart: the migrator would
    // rewrite status.storedVersions of the project's CRDs, which are not the operator's to manage here.
  };
}

function operatorArgs(kubeconfig: string): string[] {
  return [
    // setpriv: the kernel kills the operator when this process dies, even by SIGKILL, when no handler runs.
    "--pdeathsig=SIGKILL",
    "--",
    operatorBinary(),
    `--kubeconfig=${kubeconfig}`,
    "--metrics-bind-address=127.0.0.1:0",
    "--health-probe-bind-address=127.0.0.1:0",
    "--leader-elect=false",
  ];
}

/** The kinds whose controllers have logged "Starting workers" in `line`. */
function startedKind(line: string): string | undefined {
  if (!line.includes("Starting workers")) return undefined;
  return /controllerKind"?[=:]"?(\w+)/.exec(line)?.[1];
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const kill = setTimeout(() => signal("SIGKILL"), STOP_GRACE_MS);
  return exited.finally(() => clearTimeout(kill));
}

/** Starts thv-operator as its ServiceAccount; resolves once its controllers run, rejects with its log. */
export async function startToolhiveOperator(
  kc: KubeConfig,
  options: OperatorOptions = {},
): Promise<RunningOperator> {
  const binary = operatorBinary();
  await access(binary, constants.X_OK).catch(() => {
    throw new Error(`${binary} is missing; build it with: node functions/cli/main.ts control-plane install`);
  });
  await installIdentity(kc);
  const dir = mkdtempSync(join(tmpdir(), "toolhive-operator-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, await operatorKubeconfig(kc), { mode: 0o600 });

  // Its own process group, so stop() (and the exit guard) reach anything it might fork.
  const child = spawn("setpriv", operatorArgs(kubeconfig), {
    detached: true,
    env: operatorEnv(kubeconfig, dir, options.watchNamespace),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A test that never calls stop() still leaves no operator and no token file behind when it exits.
  const guard = () => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", guard);

  let output = "";
  const running = new Set<string>();
  let onProgress = () => {};
  // Per stream: a line is whole only once its newline arrives, and the two streams interleave.
  const follow = (stream: NodeJS.ReadableStream | null) => {
    let partial = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      output += chunk;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        options.log?.(line);
        const kind = startedKind(line);
        if (kind) running.add(kind);
      }
      onProgress();
    });
  };
  follow(child.stdout);
  follow(child.stderr);

  const stop = async () => {
    await stopGroup(child);
    process.off("exit", guard);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not start in ${START_TIMEOUT_MS / 1000}s`), START_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`thv-operator ${why}:\n${output}`));
      };
      child.once("error", (error) => fail(`could not be spawned (${error.message})`));
      child.once("close", (code, signal) => fail(`exited (${signal ?? code}) while starting`));
      onProgress = () => {
        if (AWAITED_CONTROLLERS.every((kind) => running.has(kind))) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  } catch (error) {
    await stop();
    throw error;
  }
  onProgress = () => {};
  return { username: OPERATOR_USERNAME, logs: () => output, stop };
}
