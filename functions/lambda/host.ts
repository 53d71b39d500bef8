// The host all four Lambdas share: middy with Powertools' logger (structured, with the Lambda context) and
// metrics (EMF, flushed per invocation), and the function's settings (settings.ts), read on a container's
// first request, from which its handler is built once. Handlers stay plain async functions of their
// collaborators, which tests build with their own.
// Nothing here loads the AWS SDK, client-node or X-Ray: the admission function's mutating path runs through
// it. The reconcile side adds Powertools' tracer and its API deadline as middlewares (reconcile-side.ts).
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { onFirstUse } from "./on-first-use.ts";
import { type FunctionName, type FunctionSettings, functionSettings } from "./settings.ts";

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export type Handle<E, R> = (event: E, context: Context) => Promise<R>;

export interface HostOptions {
  /** false: never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says (the admission's path holds its token). */
  readonly logEvent?: false;
  /** Run first, in order, around each request. */
  readonly middlewares?: readonly MiddlewareObj[];
}

/**
 * A Lambda handler for the named function. Its settings are read and `start` builds the handler on the first
 * request; a failure (settings that are wrong, an SSM read that failed) fails that request and is not kept,
 * so each later request says the same or, once the cause is gone, starts.
 */
export function lambdaFunction<N extends FunctionName, E, R>(
  name: N,
  start: (settings: FunctionSettings<N>, tools: Observability) => Handle<E, R> | Promise<Handle<E, R>>,
  options: HostOptions = {},
) {
  const tools: Observability = {
    logger: new Logger({ serviceName: `vmcp-lambda-${name}` }),
    metrics: new Metrics({ namespace: "vmcp-lambda", serviceName: name }),
  };
  const ready = onFirstUse(async () => start(functionSettings(name, process.env), tools));
  return middy(async (event: E, context: Context) => (await ready())(event, context))
    .use([...(options.middlewares ?? [])])
    .use(injectLambdaContext(tools.logger, options.logEvent === false ? { logEvent: false } : {}))
    .use(logMetrics(tools.metrics));
}
