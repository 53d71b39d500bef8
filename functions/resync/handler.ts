// The resync Lambda, on the EventBridge schedule: reconciles every VirtualMCPServer from one LIST per
// type. What it cannot finish in its time (many objects, a slow API server) goes to the reconcile queue,
// and so do the objects that failed, so the queue's retries and DLQ apply to them.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Context, ScheduledEvent } from "aws-lambda";
import type { ReconcileRequest } from "../core/change-hint.ts";
import { clusterAccessFromEnv } from "../kube/cluster-access.ts";
import { hosted, type Observability, observability, once } from "../reconcile/lambda-host.ts";
import { type ReconcileOptions, settingsFrom } from "../reconcile/reconcile-one.ts";
import { enqueue } from "../reconcile/reconcile-queue.ts";
import { resyncAll } from "./resync-all.ts";

/** Stop reconciling inline with this much time left, and queue the rest. */
const TIME_RESERVED_MS = 20_000;

export interface ResyncDeps extends Observability {
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly options: ReconcileOptions;
  readonly send: (requests: readonly ReconcileRequest[], resyncAt: string) => Promise<void>;
}

export function resyncHandler(deps: ResyncDeps) {
  return async (event: Partial<ScheduledEvent>, context: Context) => {
    const started = Date.now();
    const resyncAt = event.time ?? new Date().toISOString();
    const failedKeys: string[] = [];
    const summary = await resyncAll(await deps.kubeConfig(), {
      ...deps.options,
      shouldDefer: () => context.getRemainingTimeInMillis() < TIME_RESERVED_MS,
      onError: (key, error) => {
        failedKeys.push(key);
        deps.logger.warn("resync of one object failed; queued for retry", { key, error: error as Error });
      },
    });
    const requeue: ReconcileRequest[] = [
      ...summary.deferred,
      ...failedKeys.map((key) => {
        const [namespace = "", name = ""] = key.split("/");
        return { namespace, name };
      }),
    ].map(({ namespace, name }) => ({ namespace, name, trigger: "resync" as const }));
    await deps.send(requeue, resyncAt);
    deps.metrics.addMetric("ResyncObjects", MetricUnit.Count, summary.objects);
    deps.metrics.addMetric("ResyncWritten", MetricUnit.Count, summary.written);
    deps.metrics.addMetric("ResyncQueued", MetricUnit.Count, requeue.length);
    deps.metrics.addMetric("ResyncLatency", MetricUnit.Milliseconds, Date.now() - started);
    const result = { ...summary, deferred: summary.deferred.length, queued: requeue.length };
    deps.logger.info("resync done", { trigger: "resync", ...result, ms: Date.now() - started });
    return result;
  };
}

const tools = observability("resync");
const sqs = once(() => new SQSClient({}));
const kubeConfig = once(() => clusterAccessFromEnv(process.env));

export const handler = hosted(
  tools,
  resyncHandler({
    ...tools,
    kubeConfig: () => kubeConfig()(),
    options: settingsFrom(process.env),
    send: (requests, resyncAt) => enqueue(sqs(), process.env.RECONCILE_QUEUE_URL ?? "", requests, resyncAt),
  }),
);
