// The handful of API calls the functions make, over raw HTTPS: GET, paginated LIST, server-side apply,
// JSON patch, DELETE and creation (Events). Raw, because client-node's typed models drop fields they do
// not know.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { isKind, type Kind, RESOURCES, resourcePath } from "../core/kinds/resources.ts";
import { type Failure, retryDelay } from "./api-retry.ts";
import { rawRequest } from "./raw-request.ts";

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

let deadline = Number.POSITIVE_INFINITY;

/** The longest one request may go without an answer. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The time (epoch ms) by which every request must have its answer, retries included; a Lambda handler sets
 * it from its context at the start of each invocation (one at a time per container), so none runs past
 * its timeout. Unset, retries are bounded by their count alone.
 */
export function setRequestDeadline(at: number | undefined): void {
  deadline = at ?? Number.POSITIVE_INFINITY;
}

async function call(
  kc: KubeConfig,
  path: string,
  init: Parameters<typeof rawRequest>[2] = {},
): Promise<unknown> {
  const request = `${init.method ?? "GET"} ${path.split("?")[0]}`;
  // A caller's timeoutMs bounds the whole call, retries included (the admission lookups' budget).
  const until = Math.min(deadline, init.timeoutMs ? Date.now() + init.timeoutMs : Number.POSITIVE_INFINITY);
  for (let attempt = 1; ; attempt += 1) {
    let failure: Failure;
    let error: Error;
    try {
      // One attempt may not outlast what is left either: a slow answer must not carry us past the deadline.
      const timeoutMs = Math.max(1, Math.min(REQUEST_TIMEOUT_MS, until - Date.now()));
      const response = await rawRequest(kc, path, { ...init, timeoutMs });
      if (response.status >= 200 && response.status < 300)
        return response.body ? JSON.parse(response.body) : {};
      const retryAfter = response.headers["retry-after"];
      failure = {
        status: response.status,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
      error = apiError(response.status, response.body, request);
    } catch (thrown) {
      // A creation whose connection broke may have happened: only the idempotent requests go again.
      if (init.method === "POST") throw thrown;
      failure = { network: (thrown as Error).message };
      error = thrown as Error;
    }
    const wait = retryDelay(failure, attempt, until - Date.now());
    if (wait === undefined) throw error;
    await sleep(wait);
  }
}

/** The API server's Status, or whatever a proxy in front of it answered, as an ApiError. */
export function apiError(status: number, body: string, request: string): ApiError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // Not a Status (an HTML error page, say): keep a short, single-line excerpt.
  }
  const message =
    typeof parsed.message === "string"
      ? parsed.message
      : `HTTP ${status}${body ? `: ${body.replace(/\s+/g, " ").trim().slice(0, 200)}` : ""}`;
  return new ApiError(
    status,
    typeof parsed.reason === "string" ? parsed.reason : "Unknown",
    `${request}: ${message}`,
  );
}

export async function getObject(
  kc: KubeConfig,
  kind: Kind,
  namespace: string,
  name: string,
  timeoutMs?: number,
): Promise<unknown | undefined> {
  try {
    return await call(kc, resourcePath(kind, namespace, name), { timeoutMs });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return undefined;
    throw error;
  }
}

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly pageSize?: number;
  readonly timeoutMs?: number;
}

/** Every object of a kind, page by page; items get their kind and apiVersion back (lists omit them). */
export async function listObjects(
  kc: KubeConfig,
  kind: Kind,
  options: ListOptions = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let continueToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(options.pageSize ?? 500) });
    if (options.labelSelector) query.set("labelSelector", options.labelSelector);
    if (continueToken) query.set("continue", continueToken);
    const page = (await call(kc, `${resourcePath(kind, options.namespace)}?${query}`, {
      timeoutMs: options.timeoutMs,
    })) as {
      items?: Record<string, unknown>[];
      metadata?: { continue?: string };
    };
    for (const item of page.items ?? [])
      items.push({ ...item, kind, apiVersion: RESOURCES[kind].apiVersion });
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return items;
}

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly subresource?: "status";
}

/** Server-side apply with force: the functions' desired state wins over other managers for its own fields. */
export async function applyObject(
  kc: KubeConfig,
  object: {
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string };
    readonly [field: string]: unknown;
  },
  options: ApplyOptions,
): Promise<unknown> {
  if (!isKind(object.kind)) throw new Error(`cannot apply an object of kind ${object.kind}`);
  const path = resourcePath(
    object.kind,
    object.metadata.namespace,
    object.metadata.name,
    options.subresource,
  );
  const query = new URLSearchParams({ fieldManager: options.fieldManager, force: "true" });
  return call(kc, `${path}?${query}`, {
    method: "PATCH",
    headers: { "content-type": "application/apply-patch+yaml" },
    body: JSON.stringify(object),
  });
}

export async function deleteObject(
  kc: KubeConfig,
  kind: Kind,
  namespace: string,
  name: string,
): Promise<void> {
  try {
    await call(kc, resourcePath(kind, namespace, name), {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ propagationPolicy: "Background" }),
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
  }
}

export async function createObject(
  kc: KubeConfig,
  kind: Kind,
  namespace: string,
  object: unknown,
): Promise<unknown> {
  return call(kc, resourcePath(kind, namespace), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(object),
  });
}

/** A JSON patch (RFC 6902); its `test` operations make it fail rather than act on a changed object. */
export async function jsonPatch(
  kc: KubeConfig,
  kind: Kind,
  namespace: string,
  name: string,
  ops: readonly unknown[],
  options: ApplyOptions,
): Promise<unknown> {
  const path = resourcePath(kind, namespace, name, options.subresource);
  return call(kc, `${path}?fieldManager=${encodeURIComponent(options.fieldManager)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json-patch+json" },
    body: JSON.stringify(ops),
  });
}
