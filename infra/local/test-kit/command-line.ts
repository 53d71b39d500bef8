// The vmcp-lambda command as a user or a script runs it, for the tests of its contract: a process of its
// own (exit codes, stdout and stderr are the contract), on this process's Node. Asynchronous, so a test
// that also serves the API server's webhooks keeps answering while the command runs.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../../functions/cli/main.ts", import.meta.url));

export interface CommandRun {
  /** The command's whole environment; this process's unless told. */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed. */
  readonly stdin?: string;
  /** Killed after this long, in ms (60 s unless told); its status is then null. */
  readonly timeout?: number;
}

export interface CommandResult {
  /** The exit code; null when a signal ended it. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vmcp-lambda <args>` to its end. */
export function runCli(args: readonly string[], run: CommandRun = {}): Promise<CommandResult> {
  const { env = process.env, stdin, timeout = 60_000 } = run;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, timeout });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
    // A command that exits without reading its input closes the pipe; its status tells the test, not EPIPE.
    child.stdin.once("error", () => {});
    child.stdin.end(stdin);
  });
}
