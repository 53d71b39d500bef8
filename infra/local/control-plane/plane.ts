// A local etcd + kube-apiserver on loopback with the project's CRDs installed: up, env, down.
// `up` records what it started in the directory's state file before waiting on anything, so `down` can
// always clean up, even after a failed or interrupted `up`.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type Binaries, ensureBinaries } from "./binaries.ts";
import { installCrds, loadCrds } from "./crds.ts";
import { writeCredentials } from "./credentials.ts";
import { renderKubeconfig } from "./kubeconfig.ts";
import { AUDIT_POLICY, apiserverArgs, etcdArgs, type Layout, layout, type Ports } from "./layout.ts";
import { freePort, httpStatus, isListening, LOOPBACK } from "./network.ts";
import { isAlive, logTail, startDetached, stopGroup } from "./processes.ts";
import { type ControlPlaneState, readState, writeState } from "./state.ts";

const GUARDIAN = fileURLToPath(new URL("./guardian.ts", import.meta.url));
const GUARDIAN_LOG = "guardian.log";

export interface UpOptions {
  readonly dir: string;
  /** Stop the control plane when this process exits, however it exits (used by the test harness). */
  readonly ownerPid?: number;
  readonly log?: (line: string) => void;
  readonly binaries?: Binaries;
}

export interface RunningControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly state: ControlPlaneState;
  readonly reused: boolean;
}

export function defaultDirectory(): string {
  return join(tmpdir(), `vmcp-lambda-${process.getuid?.() ?? "user"}`, "control-plane");
}

export function exportLine(kubeconfig: string): string {
  return `export KUBECONFIG=${kubeconfig}`;
}

async function readyzStatus(port: number, files: Layout): Promise<number> {
  const token = (await readFile(files.tokenFile, "utf8").catch(() => "")).split(",")[0] ?? "";
  return httpStatus(`https://${LOOPBACK}:${port}/readyz`, { authorization: `Bearer ${token}` });
}

/** The control plane running in `dir`, if its processes live and the API server answers. */
export async function runningControlPlane(dir: string): Promise<ControlPlaneState | undefined> {
  const files = layout(resolve(dir));
  const state = await readState(files.state);
  if (!state || !isAlive(state.etcd.pid) || !isAlive(state.apiserver.pid)) return undefined;
  return (await readyzStatus(state.apiserver.port, files)) === 200 ? state : undefined;
}

async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  process: { pid: number; log: string },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (!isAlive(process.pid))
      throw new Error(`${what} exited while starting:\n${await logTail(process.log)}`);
    if (Date.now() > deadline)
      throw new Error(`${what} was not ready in ${timeoutMs / 1000}s:\n${await logTail(process.log)}`);
    await sleep(100);
  }
}

async function ownedEntriesOnly(dir: string): Promise<boolean> {
  const owned = new Set([
    ...Object.values(layout(dir)).map((p) => basename(p)),
    GUARDIAN_LOG,
    "state.json.tmp",
  ]);
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.every((entry) => owned.has(entry));
}

async function startServers(files: Layout, binaries: Binaries): Promise<ControlPlaneState> {
  const ports: Ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
  };
  const etcd = await startDetached(binaries.etcd, etcdArgs(files, ports), files.etcdLog);
  const apiserver = await startDetached(
    binaries.kubeApiserver,
    apiserverArgs(files, ports),
    files.apiserverLog,
  );
  const state: ControlPlaneState = {
    etcd: { pid: etcd, clientPort: ports.etcdClient, peerPort: ports.etcdPeer },
    apiserver: { pid: apiserver, port: ports.apiserver },
    companions: [],
    kubeconfig: files.kubeconfig,
    startedAt: new Date().toISOString(),
  };
  await writeState(files.state, state);
  const etcdHealth = `http://${LOOPBACK}:${ports.etcdClient}/health`;
  await waitUntil(
    "etcd",
    async () => (await httpStatus(etcdHealth)) === 200,
    { pid: etcd, log: files.etcdLog },
    20_000,
  );
  await waitUntil(
    "kube-apiserver",
    async () => (await readyzStatus(ports.apiserver, files)) === 200,
    { pid: apiserver, log: files.apiserverLog },
    60_000,
  );
  return state;
}

async function waitForDefaultNamespace(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await core.readNamespace({ name: "default" });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

export async function up(options: UpOptions): Promise<RunningControlPlane> {
  const log = options.log ?? (() => {});
  const files = layout(resolve(options.dir));
  const existing = await runningControlPlane(files.dir);
  if (existing) {
    log(`reusing the control plane already running in ${files.dir}`);
    return { dir: files.dir, kubeconfig: existing.kubeconfig, state: existing, reused: true };
  }
  if (!(await ownedEntriesOnly(files.dir))) {
    throw new Error(`${files.dir} holds files that are not a control plane's; choose an empty or new --dir`);
  }
  await down({ dir: files.dir });
  const binaries = options.binaries ?? (await ensureBinaries());
  await mkdir(files.certDir, { recursive: true, mode: 0o700 });
  try {
    const { token } = await writeCredentials(files);
    await writeFile(files.auditPolicy, AUDIT_POLICY);
    log("starting etcd and kube-apiserver on 127.0.0.1");
    let state = await startServers(files, binaries);
    const caPem = await readFile(files.servingCert, "utf8");
    const server = `https://${LOOPBACK}:${state.apiserver.port}`;
    await writeFile(files.kubeconfig, renderKubeconfig({ server, caPem, token }), { mode: 0o600 });
    const kc = new KubeConfig();
    kc.loadFromFile(files.kubeconfig);
    await waitForDefaultNamespace(kc);
    log("installing CRDs and waiting until they are served");
    await installCrds(kc, await loadCrds());
    if (options.ownerPid !== undefined) {
      const guardian = await startDetached(
        process.execPath,
        [GUARDIAN, files.dir, String(options.ownerPid)],
        join(files.dir, GUARDIAN_LOG),
      );
      state = { ...state, guardian: { pid: guardian, ownerPid: options.ownerPid } };
      await writeState(files.state, state);
    }
    log(`control plane ready at ${server}`);
    return { dir: files.dir, kubeconfig: files.kubeconfig, state, reused: false };
  } catch (error) {
    await down({ dir: files.dir });
    throw error;
  }
}

/** Ties a process to the control plane in `dir`: `down` (and so the guardian) stops it too. */
export async function addCompanion(dir: string, name: string, pid: number): Promise<void> {
  const files = layout(resolve(dir));
  const state = await readState(files.state);
  if (!state) throw new Error(`no control plane state in ${files.dir}`);
  await writeState(files.state, { ...state, companions: [...state.companions, { name, pid }] });
}

export async function env(dir: string): Promise<string> {
  const state = await runningControlPlane(dir);
  if (!state) {
    throw new Error(
      `no control plane is running in ${resolve(dir)}; start one with: vmcp-lambda control-plane up --dir ${dir}`,
    );
  }
  return exportLine(state.kubeconfig);
}

async function waitForPortsClosed(ports: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await Promise.all(ports.map(isListening));
    if (!open.some(Boolean)) return;
    await sleep(50);
  }
  throw new Error(`ports ${ports.join(", ")} are still listening after stopping the control plane`);
}

/** Stops whatever `up` started in `dir` and removes the directory; true if something was running. */
export async function down({ dir }: { dir: string }): Promise<boolean> {
  const files = layout(resolve(dir));
  const state = await readState(files.state);
  if (state) {
    if (state.guardian && state.guardian.pid !== process.pid) await stopGroup(state.guardian.pid, 2_000);
    for (const companion of state.companions) await stopGroup(companion.pid, 5_000);
    // A short grace: the state is deleted next, so a graceful drain protects nothing and costs seconds.
    await stopGroup(state.apiserver.pid, 1_000);
    await stopGroup(state.etcd.pid, 1_000);
    await waitForPortsClosed([state.apiserver.port, state.etcd.clientPort, state.etcd.peerPort]);
  }
  if (await ownedEntriesOnly(files.dir)) await rm(files.dir, { recursive: true, force: true });
  return state !== undefined;
}
