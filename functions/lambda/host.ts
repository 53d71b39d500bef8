// The host every reconcile-side Lambda shares: middy with Powertools' logger (structured, with the Lambda
// context), metrics (EMF, flushed per invocation) and tracer. Handlers stay plain async functions.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ReconcileRequest } from "../core/delivery/change-hint.ts";
import { setRequestDeadline } from "../kube/api.ts";
import { clusterAccessFromEnv } from "../kube/cluster-access.ts";
import { enqueue } from "../reconcile/reconcile-queue.ts";

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function observability(service: string): Observability & { readonly tracer: Tracer } {
  return {
    logger: new Logger({ serviceName: `vmcp-lambda-${service}` }),
    metrics: new Metrics({ namespace: "vmcp-lambda", serviceName: service }),
    tracer: new Tracer({ serviceName: `vmcp-lambda-${service}` }),
  };
}

export function hosted<E, R>(
  tools: ReturnType<typeof observability>,
  handler: (event: E, context: Context) => Promise<R>,
) {
  return middy(handler)
    .use({
      // API requests, retries included, end a second before the function's timeout.
      before: (request) =>
        setRequestDeadline(Date.now() + request.context.getRemainingTimeInMillis() - 1_000),
    })
    .use(captureLambdaHandler(tools.tracer))
    .use(injectLambdaContext(tools.logger))
    .use(logMetrics(tools.metrics));
}

/** A value made on first use and kept for the container's lifetime (clients, configuration). */
function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
}

/** The clients a reconcile-side function makes from its environment, each on first use. */
export function environmentClients(env: NodeJS.ProcessEnv = process.env) {
  const access = once(() => clusterAccessFromEnv(env));
  const sqs = once(() => new SQSClient({}));
  const queueUrl = env.RECONCILE_QUEUE_URL ?? "";
  return {
    kubeConfig: () => access()(),
    sqs,
    queueUrl,
    enqueue: (requests: readonly ReconcileRequest[], resyncAt?: string) =>
      enqueue(sqs(), queueUrl, requests, resyncAt),
  };
}
