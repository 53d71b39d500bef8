// Stopping what a runtime test started: the process, then its scratch directory.
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

/** SIGTERM, wait for the exit (so its port is free when this resolves), remove `dir`. */
export async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
