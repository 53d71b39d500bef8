// The real vMCP runtime as the judge of a config.yaml: `vmcp validate` of the version the config targets,
// run with the env names the Deployment gives the pod (secret values as placeholders, as the loader only
// checks that they are set).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeBinary } from "../../infra/local/control-plane/runtimes.ts";

export interface Verdict {
  readonly accepted: boolean;
  /** What the runtime printed: its reason when it rejects. */
  readonly output: string;
}

/** The env var names of the vmcp container of a Deployment as the functions write it. */
export function containerEnvNames(deployment: unknown): string[] {
  const spec = (deployment as { spec?: { template?: { spec?: { containers?: unknown[] } } } }).spec;
  const container = spec?.template?.spec?.containers?.[0] as { env?: { name: string }[] } | undefined;
  return (container?.env ?? []).map((e) => e.name);
}

export async function validateConfig(
  version: string,
  configYaml: string,
  envNames: readonly string[],
): Promise<Verdict> {
  const dir = await mkdtemp(join(tmpdir(), "vmcp-validate-"));
  try {
    const file = join(dir, "config.yaml");
    await writeFile(file, configYaml);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir };
    for (const name of envNames) env[name] = `placeholder-${name.toLowerCase()}`;
    return await new Promise<Verdict>((resolve, reject) => {
      const child = spawn(runtimeBinary(version), ["validate", "--config", file], { env, timeout: 60_000 });
      let output = "";
      const collect = (chunk: Buffer) => {
        output += chunk;
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.once("error", reject);
      child.once("close", (code) => resolve({ accepted: code === 0, output }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
