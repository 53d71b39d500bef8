// The reconcile Lambda: SQS FIFO batches of reconcile requests (group = namespace/name). Each
// VirtualMCPServer is reconciled once per batch however many messages name it, and only once what the API
// server returns shows the writes its hints announce (the stale-read gate, judgeRead); then by the same
// reconcile as the command line and the resync. Work held back or failed is returned with its group's later
// messages (Powertools' FIFO processor) and offered again after a delay, its visibility timeout.
import { setTimeout as sleep } from "node:timers/promises";
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { namespacedName } from "../core/delivery/change-hint.ts";
import { settleDelay } from "../core/delivery/hint-window.ts";
import {
  judgeRead,
  type KeyWork,
  readMessage,
  retryDelaySeconds,
  workByKey,
} from "../core/delivery/queue-batch.ts";
import { readSnapshot } from "../kube/snapshot.ts";
import type { Observability } from "../lambda/host.ts";
import { reconcileSideFunction } from "../lambda/reconcile-side.ts";
import { notFound, type ReconcileOptions, reconcileSnapshot } from "./reconcile-one.ts";

/** Below this much remaining time a key is not started but returned, so no reconcile is cut off. */
const TIME_NEEDED_MS = 12_000;

/** What became of a key's work: done (its messages are deleted), or returned to the queue for later. */
type Delivery = { readonly retryAfterSeconds?: number };

/** Marks a key's messages as failed for the batch processor, which returns them to the queue. */
class ReturnedToQueue extends Error {}

export interface ReconcileDeps extends Observability {
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly options: ReconcileOptions;
  /** Makes the messages visible again after `seconds` (their visibility timeout). */
  readonly retryLater: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  /** Receives after which a hint whose write never became visible is dropped; below the DLQ's count. */
  readonly staleHintReceives: number;
}

export function reconcileHandler(deps: ReconcileDeps) {
  const { logger, metrics } = deps;
  async function deliver(work: KeyWork, context: Context): Promise<Delivery> {
    const fields = { namespace: work.namespace, name: work.name, trigger: work.triggers.join(",") };
    if (context.getRemainingTimeInMillis() < TIME_NEEDED_MS) throw new Error("not enough time left");
    const started = Date.now();
    const count = (outcome: string, writes: number) => {
      metrics.addMetric("ReconcileLatency", MetricUnit.Milliseconds, Date.now() - started);
      metrics.addMetric(`Reconcile_${outcome}`, MetricUnit.Count, 1);
      metrics.addMetric("Writes", MetricUnit.Count, writes);
    };
    // Hints coalesce per window (hint-window.ts): read only once the window's writes are all visible.
    const delay = settleDelay(
      work.causes.map((cause) => cause.at),
      Date.now(),
    );
    if (delay > 0) await sleep(delay);
    const kc = await deps.kubeConfig();
    for (let reads = 1; ; reads++) {
      const snapshot = await readSnapshot(kc, work.namespace, work.name);
      const verdict = judgeRead(work, snapshot, reads, deps.staleHintReceives);
      switch (verdict.action) {
        case "readAgain":
          await sleep(verdict.ms);
          continue;
        case "drop":
          count("stale", 0);
          logger.info("hinted write never happened; dropping the hint", {
            ...fields,
            receives: work.receiveCount,
          });
          metrics.addMetric("StaleHintDropped", MetricUnit.Count, 1);
          return {};
        case "retryLater":
          count("stale", 0);
          logger.info("snapshot predates the hinted write; retrying", {
            ...fields,
            receives: work.receiveCount,
          });
          return { retryAfterSeconds: verdict.seconds };
        case "reconcile": {
          const result = snapshot
            ? await reconcileSnapshot(kc, snapshot, deps.options)
            : notFound(namespacedName(work));
          count(result.outcome, result.written.length);
          logger.info("reconciled", {
            ...fields,
            uid: work.causes[0]?.uid,
            outcome: result.outcome,
            written: result.written,
            ms: Date.now() - started,
          });
          return {};
        }
      }
    }
  }

  return async (event: SQSEvent, context: Context) => {
    const records = event.Records ?? [];
    const work = workByKey(
      records.map((r) => ({
        messageId: r.messageId,
        receiptHandle: r.receiptHandle,
        body: r.body,
        receiveCount: Number(r.attributes?.ApproximateReceiveCount) || 1,
      })),
    );
    // Each message was read once, by workByKey; a message it left out is not a reconcile request.
    const keyOfMessage = new Map(
      [...work.entries()].flatMap(([key, w]) => w.messageIds.map((id) => [id, key] as const)),
    );
    const outcomes = new Map<string, Promise<void>>();
    const recordHandler = async (record: SQSRecord) => {
      const key = keyOfMessage.get(record.messageId);
      const keyWork = key === undefined ? undefined : work.get(key);
      if (key === undefined || !keyWork) {
        const read = readMessage(record.body);
        logger.warn("dropping a message that is not a reconcile request", {
          messageId: record.messageId,
          reason: read.ok ? "unreadable" : read.reason,
        });
        metrics.addMetric("MessageDropped", MetricUnit.Count, 1);
        return;
      }
      let outcome = outcomes.get(key);
      if (!outcome) {
        outcome = deliver(keyWork, context)
          .catch((error: unknown): Delivery => {
            const seconds = retryDelaySeconds(keyWork.receiveCount);
            logger.warn("reconcile failed; retrying later", { key, seconds, error: error as Error });
            metrics.addMetric("ReconcileFailed", MetricUnit.Count, 1);
            return { retryAfterSeconds: seconds };
          })
          .then(async ({ retryAfterSeconds }) => {
            if (retryAfterSeconds === undefined) return;
            await deps.retryLater(keyWork.receiptHandles, retryAfterSeconds).catch(() => undefined);
            throw new ReturnedToQueue(`${key} returns to the queue in ${retryAfterSeconds} s`);
          });
        outcomes.set(key, outcome);
      }
      await outcome;
    };
    return processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
  };
}

export const handler = reconcileSideFunction("reconcile", (settings, tools) =>
  reconcileHandler({
    ...tools,
    options: { ...settings.vmcp, controller: settings.controller },
    staleHintReceives: settings.staleHintReceives,
    retryLater: async (receiptHandles, seconds) => {
      await tools.sqs().send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: settings.queueUrl,
          Entries: receiptHandles.map((ReceiptHandle, i) => ({
            Id: String(i),
            ReceiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
    },
  }),
);
