// Stopping and starting one server of a local control plane in place, for outage tests: the same ports,
// data and certificates, so clients that were talking to it simply find it gone and then back.
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPaths } from "../../infra/local/control-plane/binaries.ts";
import { apiserverArgs, etcdArgs, layout } from "../../infra/local/control-plane/layout.ts";
import { httpStatus, LOOPBACK } from "../../infra/local/control-plane/network.ts";
import { startDetached, stopGroup } from "../../infra/local/control-plane/processes.ts";
import { readState, writeState } from "../../infra/local/control-plane/state.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";

export type Server = "kube-apiserver" | "etcd";

/** Kills `server` outright (no graceful drain, as a crash would), keeps it down `downMs`, starts it again. */
export async function outage(dir: string, server: Server, downMs: number): Promise<void> {
  const files = layout(dir);
  const state = await readState(files.state);
  if (!state) throw new Error(`no control plane in ${dir}`);
  const ports = {
    etcdClient: state.etcd.clientPort,
    etcdPeer: state.etcd.peerPort,
    apiserver: state.apiserver.port,
  };
  const binaries = binaryPaths();
  const old = server === "etcd" ? state.etcd.pid : state.apiserver.pid;
  await stopGroup(old, 0);
  await sleep(downMs);
  const pid =
    server === "etcd"
      ? await startDetached(binaries.etcd, etcdArgs(files, ports), files.etcdLog)
      : await startDetached(binaries.kubeApiserver, apiserverArgs(files, ports), files.apiserverLog);
  // `down` stops what the state names, so it must name the new process.
  await writeState(files.state, {
    ...state,
    ...(server === "etcd" ? { etcd: { ...state.etcd, pid } } : { apiserver: { ...state.apiserver, pid } }),
  });
  const token = (await readFile(files.tokenFile, "utf8")).split(",")[0] ?? "";
  const readyz = `https://${LOOPBACK}:${ports.apiserver}/readyz`;
  await eventually(async () => (await httpStatus(readyz, { authorization: `Bearer ${token}` })) === 200, {
    what: `${server} back (readyz answering 200)`,
    timeout: 60_000,
    interval: 100,
  });
}
