// Loopback ports and health endpoints of the local control plane.
import { request } from "node:https";
import { createConnection, createServer } from "node:net";

export const LOOPBACK = "127.0.0.1";

/** A port that was free a moment ago; the caller retries if something takes it first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Status code of a GET, or 0 when nothing answers. TLS is not verified: used only to wait for readiness. */
export function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const { protocol } = new URL(url);
  if (protocol === "http:") {
    return fetch(url, { headers, signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
  }
  return new Promise((resolve) => {
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(0));
    req.end();
  });
}
