// The door of the admission function's URL: the secret path token (compared in constant time), POST,
// JSON, a size limit. Anything that fails gets a clean 4xx with a JSON error, and a wrong path gets 404
// with nothing that tells a wrong token from a wrong route.
import { createHash, timingSafeEqual } from "node:crypto";
import type { WebhookPath } from "./admit.ts";

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
}

export interface GateOptions {
  readonly token: string;
  readonly maxBodyBytes: number;
}

export type GateResult =
  | { readonly ok: true; readonly webhook: WebhookPath; readonly body: unknown }
  | { readonly ok: false; readonly status: 400 | 404 | 413 | 415; readonly error: string };

const digest = (text: string) => createHash("sha256").update(text).digest();
const ROUTE = /^\/([^/]+)\/(validate|mutate|fence)$/;

export function sameToken(given: string, expected: string): boolean {
  // Hashing first makes both sides the same length, so the comparison time says nothing about either.
  return expected.length > 0 && timingSafeEqual(digest(given), digest(expected));
}

export function gate(request: HttpRequest, options: GateOptions): GateResult {
  const route = ROUTE.exec(request.path);
  const tokenOk = sameToken(route?.[1] ?? "", options.token);
  if (!route || !tokenOk || request.method !== "POST") return { ok: false, status: 404, error: "not found" };
  const contentType = request.headers["content-type"] ?? "";
  if (!/^application\/json(;|$)/i.test(contentType)) {
    return { ok: false, status: 415, error: `content-type must be application/json, not "${contentType}"` };
  }
  const raw = request.body ?? "";
  const bytes = request.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > options.maxBodyBytes) {
    return {
      ok: false,
      status: 413,
      error: `body of ${bytes.length} bytes is over the limit of ${options.maxBodyBytes}`,
    };
  }
  try {
    return { ok: true, webhook: route[2] as WebhookPath, body: JSON.parse(bytes.toString("utf8")) };
  } catch (error) {
    return { ok: false, status: 400, error: `body is not JSON: ${(error as Error).message}` };
  }
}
