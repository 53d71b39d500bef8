// ToolHive's binaries, built from its Go module into the per-user cache beside kube-apiserver, never
// committed: the vMCP runtime (`vmcp`) at every supported version, the judge of what the functions write,
// and ToolHive's operator (`thv-operator`) at the newest, the controller the functions live beside (issue
// 15). The module download also holds ToolHive's CRD chart and examples of a version, read at test time.
import { spawn } from "node:child_process";
import { access, constants, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_RUNTIME_VERSION, SUPPORTED_VERSIONS } from "../../../functions/core/runtime/versions.ts";
import { cacheDirectory } from "./binaries.ts";

export const TOOLHIVE_MODULE = "github.com/stacklok/toolhive";

/** The ToolHive commands built, each at the versions the tests run it at. */
const TOOLHIVE_COMMANDS = [
  { command: "vmcp", versions: SUPPORTED_VERSIONS, minutes: 15 },
  { command: "thv-operator", versions: [DEFAULT_RUNTIME_VERSION], minutes: 10 },
] as const;
type ToolhiveCommand = (typeof TOOLHIVE_COMMANDS)[number]["command"];

function toolhiveBinary(command: ToolhiveCommand, version: string, cache: string): string {
  return join(cache, "bin", `${command}-${version}`, command);
}

export function runtimeBinary(version: string, cache: string = cacheDirectory()): string {
  return toolhiveBinary("vmcp", version, cache);
}

/** ToolHive's operator, at the newest supported runtime version. */
export function operatorBinary(cache: string = cacheDirectory()): string {
  return toolhiveBinary("thv-operator", DEFAULT_RUNTIME_VERSION, cache);
}

const exists = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdout: "inherit" | "pipe") {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", stdout, "inherit"], env });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.on("error", (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? new Error("Go is required to build ToolHive's binaries; install Go 1.26 or newer")
          : error,
      ),
    );
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} failed (exit ${code})`)),
    );
  });
}

// The module's go.mod asks for Go 1.26: a local toolchain that old or newer builds it without downloads.
const goEnv = () => ({ ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-modcacherw", CGO_ENABLED: "0" });

/** Builds the ToolHive binaries that are missing, one at a time (two Go builds at once thrash two cores). */
export async function ensureToolhiveBinaries(
  cache: string = cacheDirectory(),
  log: (line: string) => void = (line) => process.stderr.write(`[control-plane:install] ${line}\n`),
): Promise<string[]> {
  const paths: string[] = [];
  for (const { command, versions, minutes } of TOOLHIVE_COMMANDS) {
    for (const version of versions) {
      const binary = toolhiveBinary(command, version, cache);
      paths.push(binary);
      if (await exists(binary)) continue;
      // A staging directory of this process's own: two commands installing at once (a test run beside
      // `npm start`) each build, and the rename below makes whichever finishes last the binary.
      const staging = `${binary}.build-${process.pid}`;
      await mkdir(staging, { recursive: true });
      log(`compiling ToolHive's ${command} ${version} (first time: about ${minutes} minutes on 2 cores)`);
      await run(
        "go",
        ["install", "-trimpath", `${TOOLHIVE_MODULE}/cmd/${command}@${version}`],
        { ...goEnv(), GOBIN: staging },
        "inherit",
      );
      await rename(join(staging, command), binary);
      await rm(staging, { recursive: true, force: true });
    }
  }
  return paths;
}

/** Where the Go module cache holds ToolHive's source at a version (downloaded when missing). */
export async function toolhiveSource(version: string): Promise<string> {
  const out = await run("go", ["mod", "download", "-json", `${TOOLHIVE_MODULE}@${version}`], goEnv(), "pipe");
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download gave no directory for ${TOOLHIVE_MODULE}@${version}`);
  return dir;
}
