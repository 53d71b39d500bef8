// The reconcile Lambda: SQS FIFO batches of reconcile requests (group = namespace/name). Each
// VirtualMCPServer is reconciled once per batch however many messages name it; a failed one is returned
// with its group's later messages (Powertools' FIFO processor) and offered again after a backoff.
import { setTimeout as sleep } from "node:timers/promises";
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { keyOf } from "../core/delivery/change-hint.ts";
import { settleDelay, WRITE_SETTLE_MS } from "../core/delivery/hint-window.ts";
import { type KeyWork, readMessage, retryDelaySeconds, workByKey } from "../core/delivery/queue-batch.ts";
import type { Observability } from "../lambda/host.ts";
import { reconcileSideFunction } from "../lambda/reconcile-side.ts";
import { type ReconcileOptions, reconcileOne } from "./reconcile-one.ts";

/** Below this much remaining time a key is not started but returned, so no reconcile is cut off. */
const TIME_NEEDED_MS = 12_000;

class StaleSnapshot extends Error {}

export interface ReconcileDeps extends Observability {
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly options: ReconcileOptions;
  readonly retryLater: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  /** Receives after which a hint whose write never became visible is dropped; below the DLQ's count. */
  readonly staleHintReceives: number;
}

export function reconcileHandler(deps: ReconcileDeps) {
  const { logger, metrics } = deps;
  async function reconcileKey(work: KeyWork, context: Context): Promise<void> {
    const fields = { namespace: work.namespace, name: work.name, trigger: work.triggers.join(",") };
    if (context.getRemainingTimeInMillis() < TIME_NEEDED_MS) throw new Error("not enough time left");
    const started = Date.now();
    // Hints coalesce per window (hint-window.ts): read only once the window's writes are all visible.
    const delay = settleDelay(
      work.causes.map((cause) => cause.at),
      Date.now(),
    );
    if (delay > 0) await sleep(delay);
    const kc = await deps.kubeConfig();
    const attempt = () =>
      reconcileOne(kc, work.namespace, work.name, { ...deps.options, causes: work.causes });
    let result = await attempt();
    // A write slower than the settle time (or a hint from a sender without times) can still be outrun by the
    // queue. One more short wait, on the first receive only, spares a round trip through the queue's backoff.
    if (result.outcome === "stale" && work.receiveCount <= 1) {
      await sleep(WRITE_SETTLE_MS);
      result = await attempt();
    }
    metrics.addMetric("ReconcileLatency", MetricUnit.Milliseconds, Date.now() - started);
    metrics.addMetric(`Reconcile_${result.outcome}`, MetricUnit.Count, 1);
    metrics.addMetric("Writes", MetricUnit.Count, result.written.length);
    if (result.outcome === "stale") {
      if (work.receiveCount >= deps.staleHintReceives) {
        // The announced write never became visible: it was refused after admission. Nothing to do.
        logger.info("hinted write never happened; dropping the hint", {
          ...fields,
          receives: work.receiveCount,
        });
        metrics.addMetric("StaleHintDropped", MetricUnit.Count, 1);
        return;
      }
      logger.info("snapshot predates the hinted write; retrying", { ...fields, receives: work.receiveCount });
      throw new StaleSnapshot(`the snapshot of ${keyOf(work)} predates the hinted write`);
    }
    logger.info("reconciled", {
      ...fields,
      uid: work.causes[0]?.uid,
      outcome: result.outcome,
      written: result.written,
      ms: Date.now() - started,
    });
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
        outcome = reconcileKey(keyWork, context).catch(async (error: unknown) => {
          const seconds = retryDelaySeconds(keyWork.receiveCount);
          if (!(error instanceof StaleSnapshot)) {
            logger.warn("reconcile failed; retrying later", { key, seconds, error: error as Error });
            metrics.addMetric("ReconcileFailed", MetricUnit.Count, 1);
          }
          await deps.retryLater(keyWork.receiptHandles, seconds).catch(() => undefined);
          throw error;
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
    options: settings.vmcp,
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
