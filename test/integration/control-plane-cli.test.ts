// The `vmcp-lambda control-plane` command as a user runs it: up, up again, env, down, and what is left.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isListening } from "../../infra/local/control-plane/network.ts";
import { isAlive } from "../../infra/local/control-plane/processes.ts";
import { readState } from "../../infra/local/control-plane/state.ts";
import { runCli } from "../../infra/local/test-kit/command-line.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";

const PLANE = new URL("../../infra/local/control-plane/plane.ts", import.meta.url).pathname;
const scratch: string[] = [];
const scratchDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vmcp-lambda-cli-"));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
const cli = (...args: string[]) => runCli(args, { timeout: 120_000 });

describe("vmcp-lambda control-plane", () => {
  it("up, up again, env and down leave no process, port or directory behind", async () => {
    const dir = join(scratchDir(), "plane");

    const first = await cli("control-plane", "up", "--dir", dir);
    expect(first.status, first.stderr).toBe(0);
    const lines = first.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(`export KUBECONFIG=${join(dir, "kubeconfig")}`);
    const state = await readState(join(dir, "state.json"));
    if (!state) throw new Error("up left no state file");
    const pids = [state.etcd.pid, state.apiserver.pid];
    const ports = [state.apiserver.port, state.etcd.clientPort, state.etcd.peerPort];
    expect(pids.every(isAlive)).toBe(true);

    const again = await cli("control-plane", "up", "--dir", dir);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("reusing the control plane");
    expect(again.stdout.trimEnd().split("\n").at(-1)).toBe(lines.at(-1));
    expect((await readState(join(dir, "state.json")))?.apiserver.pid).toBe(state.apiserver.pid);

    expect((await cli("control-plane", "env", "--dir", dir)).stdout.trim()).toBe(lines.at(-1));

    const stopped = await cli("control-plane", "down", "--dir", dir);
    expect(stopped.status, stopped.stderr).toBe(0);
    expect(pids.some(isAlive)).toBe(false);
    expect(await Promise.all(ports.map(isListening))).toEqual([false, false, false]);
    expect(existsSync(dir)).toBe(false);

    const none = await cli("control-plane", "env", "--dir", dir);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`no control plane is running in ${dir}`);
    expect((await cli("control-plane", "down", "--dir", dir)).status).toBe(0);
  });

  it("refuses a directory that holds someone else's files", async () => {
    const dir = scratchDir();
    spawnSync("touch", [join(dir, "notes.txt")]);
    const result = await cli("control-plane", "up", "--dir", dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("holds files that are not a control plane's");
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
  });

  it("is stopped by its guardian when the owning process is killed", async () => {
    const dir = join(scratchDir(), "plane");
    // An owner that starts a control plane for itself, then dies without cleaning up.
    const owner = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { up } from ${JSON.stringify(PLANE)}; await up({ dir: ${JSON.stringify(dir)}, ownerPid: process.pid }); console.log("up"); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => owner.stdout.once("data", () => resolve()));
    const state = await readState(join(dir, "state.json"));
    if (!state?.guardian) throw new Error("up({ ownerPid }) started no guardian");
    const pids = [state.etcd.pid, state.apiserver.pid, state.guardian.pid];
    expect(pids.every(isAlive)).toBe(true);

    owner.kill("SIGKILL");
    await eventually(() => !pids.some(isAlive) && !existsSync(dir), {
      what: "the guardian to stop the control plane and remove its directory",
      timeout: 20_000,
      interval: 100,
    });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(await isListening(state.apiserver.port)).toBe(false);
  });
});
