// A fault-injecting HTTPS proxy on loopback in front of the real API server: each request is answered by
// the next scripted fault (a status, a dropped connection, or a delay before passing it on), or passed
// through once the script has run out. For the functions' retry tests.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeConfigWith } from "../../functions/lambda/cluster-access.ts";
import { servingCertificate } from "../../infra/local/aws-stack/certificates.ts";

export type Fault =
  | { readonly status: number; readonly retryAfter?: string }
  | { readonly drop: true }
  | { readonly delayMs: number }
  | "pass";

export interface FaultProxy {
  /** A KubeConfig with the upstream's credentials, pointed at the proxy. */
  readonly kc: KubeConfig;
  /** Every request the proxy got, with what it did. */
  readonly seen: { method: string; path: string; fault: string }[];
  script(faults: readonly Fault[]): void;
  close(): Promise<void>;
}

export async function faultProxy(upstream: KubeConfig): Promise<FaultProxy> {
  const cluster = upstream.getCurrentCluster();
  const token = upstream.getCurrentUser()?.token;
  if (!cluster || !token) throw new Error("the upstream kubeconfig needs a cluster and a token");
  const target = new URL(cluster.server);
  const upstreamCa = Buffer.from(cluster.caData ?? "", "base64").toString();
  const { caPem, certPem, keyPem } = await servingCertificate();
  let faults: Fault[] = [];
  const seen: FaultProxy["seen"] = [];
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const fault = faults.shift() ?? "pass";
    seen.push({ method: req.method ?? "", path: req.url ?? "", fault: JSON.stringify(fault) });
    if (fault !== "pass" && "drop" in fault) {
      req.socket.destroy();
      return;
    }
    if (fault !== "pass" && "status" in fault) {
      req.resume();
      res.writeHead(fault.status, {
        "content-type": "application/json",
        ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}),
      });
      res.end(JSON.stringify({ kind: "Status", status: "Failure", code: fault.status, message: "injected" }));
      return;
    }
    const delayMs = fault !== "pass" && "delayMs" in fault ? fault.delayMs : 0;
    setTimeout(() => pass(req, res), delayMs);
  });
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        ca: upstreamCa,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.once("error", () => res.destroy());
    req.pipe(forward);
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    kc: kubeConfigWith(`https://127.0.0.1:${port}`, Buffer.from(caPem).toString("base64"), token),
    seen,
    script: (next) => {
      faults = [...next];
      seen.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
