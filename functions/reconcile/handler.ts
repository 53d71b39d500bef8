// The reconcile Lambda: SQS FIFO batches of reconcile requests (group = namespace/name). Each
// VirtualMCPServer is reconciled once per batch however many messages name it; a failed one is returned
// with its group's later messages (Powertools' FIFO processor) and offered again after a backoff.
import { setTimeout as sleep } from "node:timers/promises";
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { keyOf } from "../core/change-hint.ts";
import {
  type KeyWork,
  readMessage,
  retryDelaySeconds,
  STALE_RECEIVE_LIMIT,
  workByKey,
} from "../core/reconcile-batch.ts";
import { clusterAccessFromEnv } from "../kube/cluster-access.ts";
import { hosted, type Observability, observability, once } from "./lambda-host.ts";
import { type ReconcileOptions, reconcileOne, settingsFrom } from "./reconcile-one.ts";

/** Below this much remaining time a key is not started but returned, so no reconcile is cut off. */
const TIME_NEEDED_MS = 12_000;

const STALE_RECHECK_MS = 250;

class StaleSnapshot extends Error {}

export interface ReconcileDeps extends Observability {
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly options: ReconcileOptions;
  readonly retryLater: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  /** Receives after which a hint whose write never became visible is dropped; below the DLQ's count. */
  readonly staleHintReceives?: number;
}

export function reconcileHandler(deps: ReconcileDeps) {
  const { logger, metrics } = deps;
  async function reconcileKey(work: KeyWork, context: Context): Promise<void> {
    const fields = { namespace: work.namespace, name: work.name, trigger: work.triggers.join(",") };
    if (context.getRemainingTimeInMillis() < TIME_NEEDED_MS) throw new Error("not enough time left");
    const started = Date.now();
    const kc = await deps.kubeConfig();
    const attempt = () =>
      reconcileOne(kc, work.namespace, work.name, { ...deps.options, causes: work.causes });
    let result = await attempt();
    // A hint is sent while its write is being admitted, and the queue can outrun the write. One short wait
    // here, on the first receive only, spares a round trip through the queue's backoff (about 1-2 s).
    if (result.outcome === "stale" && work.receiveCount <= 1) {
      await sleep(STALE_RECHECK_MS);
      result = await attempt();
    }
    metrics.addMetric("ReconcileLatency", MetricUnit.Milliseconds, Date.now() - started);
    metrics.addMetric(`Reconcile_${result.outcome}`, MetricUnit.Count, 1);
    metrics.addMetric("Writes", MetricUnit.Count, result.written.length);
    if (result.outcome === "stale") {
      if (work.receiveCount >= (deps.staleHintReceives ?? STALE_RECEIVE_LIMIT)) {
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
    const outcomes = new Map<string, Promise<void>>();
    const recordHandler = async (record: SQSRecord) => {
      const read = readMessage(record.body);
      if (!read.ok) {
        logger.warn("dropping a message that is not a reconcile request", {
          messageId: record.messageId,
          reason: read.reason,
        });
        metrics.addMetric("MessageDropped", MetricUnit.Count, 1);
        return;
      }
      const key = keyOf(read.request);
      const keyWork = work.get(key);
      if (!keyWork) return;
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

const tools = observability("reconcile");
const sqs = once(() => new SQSClient({}));
const kubeConfig = once(() => clusterAccessFromEnv(process.env));

export const handler = hosted(
  tools,
  reconcileHandler({
    ...tools,
    kubeConfig: () => kubeConfig()(),
    options: settingsFrom(process.env),
    staleHintReceives: Number(process.env.STALE_HINT_RECEIVES) || undefined,
    retryLater: async (receiptHandles, seconds) => {
      await sqs().send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: process.env.RECONCILE_QUEUE_URL,
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
