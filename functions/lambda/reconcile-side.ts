// What the three reconcile-side functions (router, reconcile, resync) add to the host: X-Ray tracing, a
// deadline for API requests, and their clients made from their settings: the cluster and the reconcile queue.
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ReconcileRequest } from "../core/delivery/change-hint.ts";
import { setRequestDeadline } from "../kube/api.ts";
import { clusterAccess } from "./cluster-access.ts";
import { type Handle, lambdaFunction, type Observability } from "./host.ts";
import { onFirstUse } from "./on-first-use.ts";
import { enqueue } from "./reconcile-queue.ts";
import type { FunctionSettings } from "./settings.ts";

type ReconcileSide = "router" | "reconcile" | "resync";

export interface Clients {
  /** A KubeConfig with a current token; call it once per invocation. */
  readonly kubeConfig: () => Promise<KubeConfig>;
  readonly sqs: () => SQSClient;
  readonly enqueue: (requests: readonly ReconcileRequest[], resyncAt?: string) => Promise<void>;
}

function clientsOf(settings: FunctionSettings<ReconcileSide>): Clients {
  const sqs = onFirstUse(() => new SQSClient({}));
  return {
    kubeConfig: clusterAccess(settings.cluster),
    sqs,
    enqueue: (requests, resyncAt) => enqueue(sqs(), settings.queueUrl, requests, resyncAt),
  };
}

export function reconcileSideFunction<N extends ReconcileSide, E, R>(
  name: N,
  start: (settings: FunctionSettings<N>, tools: Observability & Clients) => Handle<E, R>,
) {
  return lambdaFunction(name, (settings, tools) => start(settings, { ...tools, ...clientsOf(settings) }), {
    middlewares: [
      {
        // API requests, retries included, end a second before the function's timeout.
        before: (request) =>
          setRequestDeadline(Date.now() + request.context.getRemainingTimeInMillis() - 1_000),
      },
      captureLambdaHandler(new Tracer({ serviceName: `vmcp-lambda-${name}` })),
    ],
  });
}
