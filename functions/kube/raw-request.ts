// A plain HTTPS request to the API server with the kubeconfig's credentials and CA: the transport of every
// call in api.ts, and the tests' way to what no typed call covers (discovery documents, Table output,
// /metrics, response headers such as Warning).
import { Agent, request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

// One pool of connections for every request: a TLS handshake per request cost a lookup ~10 ms on loopback.
// The pool keys connections by their TLS options (CA, client certificate), so clusters never share one;
// idle sockets do not keep a process alive.
const KEEP_ALIVE = new Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 60_000 });

export async function rawRequest(kc: KubeConfig, path: string, init: RawRequest = {}): Promise<RawResponse> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig has no current cluster");
  const options: Parameters<KubeConfig["applyToHTTPSOptions"]>[0] = {
    method: init.method ?? "GET",
    headers: {
      accept: "application/json",
      // Node frames a DELETE's body neither by length nor in chunks; on a reused connection its bytes would
      // be read as the next request. A length always frames it.
      ...(init.body === undefined ? {} : { "content-length": String(Buffer.byteLength(init.body)) }),
      ...init.headers,
    },
    timeout: init.timeoutMs ?? 10_000,
  };
  await kc.applyToHTTPSOptions(options);
  // After: applyToHTTPSOptions sets a new agent of its own on every call. The TLS options stay on the request.
  options.agent = KEEP_ALIVE;
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), options, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      response.on("error", reject);
    });
    req.once("timeout", () => req.destroy(new Error(`${options.method} ${path} timed out`)));
    req.once("error", reject);
    req.end(init.body);
  });
}
