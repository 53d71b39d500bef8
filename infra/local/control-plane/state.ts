// What `up` leaves behind for `env` and `down`: the processes and ports of one control plane.
import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";

export const ControlPlaneState = z.object({
  etcd: z.object({ pid: z.number().int(), clientPort: z.number().int(), peerPort: z.number().int() }),
  apiserver: z.object({ pid: z.number().int(), port: z.number().int() }),
  guardian: z.object({ pid: z.number().int(), ownerPid: z.number().int() }).optional(),
  /** Processes started beside the control plane (the AWS emulator) that `down` stops with it. */
  companions: z.array(z.object({ name: z.string(), pid: z.number().int() })).default([]),
  kubeconfig: z.string(),
  startedAt: z.string(),
});
export type ControlPlaneState = z.infer<typeof ControlPlaneState>;

export async function readState(path: string): Promise<ControlPlaneState | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  try {
    const parsed = ControlPlaneState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // Missing or torn: no control plane to speak of.
  }
}

export async function writeState(path: string, state: ControlPlaneState): Promise<void> {
  // Write then rename, so a reader never sees half a file.
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
