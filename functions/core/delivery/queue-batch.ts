// How the reconcile function reads one SQS batch: every message parsed once, messages for the same
// VirtualMCPServer collapsed into one piece of work (their causes together), whether that work may run on
// what the API server returned (the stale-read gate), and the retry pacing.

import { isNamespaceName, isObjectName } from "../kinds/field-errors.ts";
import { shown } from "../kinds/shown.ts";
import type { Snapshot } from "../reconcile/plan.ts";
import { type ChangeHint, namespacedName, predatesHint, ReconcileRequest } from "./change-hint.ts";
import { WRITE_SETTLE_MS } from "./hint-window.ts";

export interface QueuedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
}

export type ReadMessage =
  | { readonly ok: true; readonly request: ReconcileRequest }
  | { readonly ok: false; readonly reason: string };

export interface KeyWork {
  readonly namespace: string;
  readonly name: string;
  readonly triggers: readonly ReconcileRequest["trigger"][];
  readonly causes: readonly ChangeHint[];
  /** The highest receive count among the key's messages: how often this work has been tried. */
  readonly receiveCount: number;
  readonly messageIds: readonly string[];
  readonly receiptHandles: readonly string[];
}

export function readMessage(body: string): ReadMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "the body is not JSON" };
  }
  const parsed = ReconcileRequest.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; "),
    };
  // Names go into request paths, where the API server decodes %2F: "x/status" would read object x.
  const { namespace, name } = parsed.data;
  if (!isNamespaceName(namespace))
    return { ok: false, reason: `namespace: ${shown(namespace)} is not a namespace name` };
  if (!isObjectName(name)) return { ok: false, reason: `name: ${shown(name)} is not an object name` };
  return { ok: true, request: parsed.data };
}

export function workByKey(messages: readonly QueuedMessage[]): Map<string, KeyWork> {
  const work = new Map<string, KeyWork>();
  for (const message of messages) {
    const read = readMessage(message.body);
    if (!read.ok) continue;
    const { request } = read;
    const key = namespacedName(request);
    const seen = work.get(key);
    work.set(key, {
      namespace: request.namespace,
      name: request.name,
      triggers: [...(seen?.triggers ?? []), request.trigger],
      causes: request.cause ? [...(seen?.causes ?? []), request.cause] : (seen?.causes ?? []),
      receiveCount: Math.max(seen?.receiveCount ?? 0, message.receiveCount),
      messageIds: [...(seen?.messageIds ?? []), message.messageId],
      receiptHandles: [...(seen?.receiptHandles ?? []), message.receiptHandle],
    });
  }
  return work;
}

/**
 * Seconds until a failed message is offered again: exponential from 2 s, capped at 5 minutes, with
 * jitter so that many objects failing together (an API server outage) do not come back together.
 */
export function retryDelaySeconds(receiveCount: number, random: () => number = Math.random): number {
  const ceiling = Math.min(300, 2 ** Math.max(1, Math.min(receiveCount, 9)));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/** What the delivery layer does with a key's work, given the snapshot it has just read. */
export type ReadVerdict =
  /** Nothing hinted is missing from the read: reconcile from it. */
  | { readonly action: "reconcile" }
  /** The read predates a hinted write, on the first receive: read again in `ms`, sparing the queue's backoff. */
  | { readonly action: "readAgain"; readonly ms: number }
  /** It still predates it: the queue offers the work again in `seconds`. */
  | { readonly action: "retryLater"; readonly seconds: number }
  /** After `staleHintReceives` receives the write is still not there: another webhook refused it. Nothing to do. */
  | { readonly action: "drop" };

/**
 * The stale-read gate. A hint can outrun its write: the queue delivers it before the API server's read shows
 * the write (predatesHint). A reconcile from that read would use up the message without seeing the write it
 * announces, which would then wait for the resync.
 * `reads` counts this invocation's reads of the key, the first being 1.
 */
export function judgeRead(
  work: KeyWork,
  snapshot: Snapshot | undefined,
  reads: number,
  staleHintReceives: number,
  random: () => number = Math.random,
): ReadVerdict {
  if (!work.causes.some((cause) => predatesHint(snapshot, cause))) return { action: "reconcile" };
  // A write slower than the settle time (or a hint from a sender without times) is usually there a moment later.
  if (reads === 1 && work.receiveCount <= 1) return { action: "readAgain", ms: WRITE_SETTLE_MS };
  if (work.receiveCount >= staleHintReceives) return { action: "drop" };
  return { action: "retryLater", seconds: retryDelaySeconds(work.receiveCount, random) };
}
