// The resync Lambda, on the EventBridge schedule: reconciles every VirtualMCPServer from one LIST per
// type. What it cannot finish in its time (many objects, a slow API server) goes to the reconcile queue,
// and so do the objects that failed, so the queue's retries and DLQ apply to them.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Context, ScheduledEvent } from "aws-lambda";
import { namespacedName, type ReconcileRequest } from "../core/delivery/change-hint.ts";
import type { Observability } from "../lambda/host.ts";
import { reconcileSideFunction } from "../lambda/reconcile-side.ts";
import type { ReconcileOptions } from "../reconcile/reconcile-one.ts";
import { type ObjectKey, resyncAll } from "./resync-all.ts";

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
    const failed: ObjectKey[] = [];
    const summary = await resyncAll(await deps.kubeConfig(), {
      ...deps.options,
      shouldDefer: () => context.getRemainingTimeInMillis() < TIME_RESERVED_MS,
      onError: (object, error) => {
        failed.push(object);
        deps.logger.warn("resync of one object failed; queued for retry", {
          key: namespacedName(object),
          error: error as Error,
        });
      },
    });
    const requeue: ReconcileRequest[] = [...summary.deferred, ...failed].map(({ namespace, name }) => ({
      namespace,
      name,
      trigger: "resync",
    }));
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

export const handler = reconcileSideFunction("resync", (settings, tools) =>
  resyncHandler({
    ...tools,
    options: { ...settings.vmcp, controller: settings.controller },
    send: tools.enqueue,
  }),
);
