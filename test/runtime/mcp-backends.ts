// Real MCP servers from the npm registry as backends: @modelcontextprotocol/server-everything (13 tools) in
// its streamable-HTTP or SSE mode, kept on loopback by a preload that also records one request header;
// optionally behind TLS with a certificate of a test CA, as a remote server with a private CA would be.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { freePort } from "../../infra/local/control-plane/network.ts";
import { stopChild } from "./child-process.ts";

const SERVER = createRequire(import.meta.url).resolve(
  "@modelcontextprotocol/server-everything/dist/index.js",
);
const PRELOAD = new URL("./loopback-preload.mjs", import.meta.url).pathname;

export type BackendTransport = "streamableHttp" | "sse";

export interface Backend {
  /** The URL ToolHive's operator would put in the member's status.url. */
  readonly url: string;
  /** Every value the recorded header had, one per request that carried it. */
  headerValues(): string[];
  stop(): Promise<void>;
}

async function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`MCP server did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`MCP server exited (${code}):\n${output}`));
    });
  });
}

/** A serving certificate for 127.0.0.1 and its key (PEM), signed by a CA the test names. */
export interface ServingTls {
  readonly certPem: string;
  readonly keyPem: string;
}

/** TLS on a port of its own, every connection passed on to the plain server at `port`. */
async function tlsFront(tls: ServingTls, port: number): Promise<{ port: number; stop(): Promise<void> }> {
  const open = new Set<{ destroy(): void }>();
  const server: TlsServer = createTlsServer({ cert: tls.certPem, key: tls.keyPem }, (socket) => {
    const plain = connectTcp(port, "127.0.0.1");
    socket.pipe(plain).pipe(socket);
    const close = () => {
      socket.destroy();
      plain.destroy();
      open.delete(socket);
    };
    open.add(socket);
    socket.on("close", close);
    socket.on("error", close);
    plain.on("close", close);
    plain.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startBackend(
  name: string,
  transport: BackendTransport,
  recordHeader = "x-api-key",
  tls?: ServingTls,
): Promise<Backend> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "vmcp-backend-"));
  const record = join(dir, "headers");
  const child = spawn(process.execPath, ["--import", PRELOAD, SERVER, transport], {
    env: { ...process.env, PORT: String(port), RECORD_HEADER: recordHeader, RECORD_FILE: record },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForOutput(child, /listening on port|running on port/i, 30_000);
  // Keep reading, or a chatty server blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const front = tls ? await tlsFront(tls, port) : undefined;
  const base = front ? `https://127.0.0.1:${front.port}` : `http://127.0.0.1:${port}`;
  return {
    url: transport === "sse" ? `${base}/sse#${name}` : `${base}/mcp`,
    headerValues: () => {
      try {
        return readFileSync(record, "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
    stop: async () => {
      await front?.stop();
      await stopChild(child, dir);
    },
  };
}
