// Stops a control plane when the process that owns it is gone, however it went (crash, SIGKILL, Ctrl-C).
// Usage: node guardian.ts <dir> <ownerPid>. Started detached by `up({ ownerPid })`.
import { access } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { down } from "./plane.ts";
import { isAlive } from "./processes.ts";

const [dir, owner] = process.argv.slice(2);
const ownerPid = Number(owner);
if (!dir || !Number.isInteger(ownerPid)) {
  console.error("usage: guardian.ts <dir> <ownerPid>");
  process.exit(2);
}

const stateExists = () =>
  access(join(dir, "state.json")).then(
    () => true,
    () => false,
  );

while ((await stateExists()) && isAlive(ownerPid)) await sleep(500);
if (await stateExists()) {
  console.log(`${new Date().toISOString()} owner ${ownerPid} is gone; stopping the control plane in ${dir}`);
  await down({ dir });
}
