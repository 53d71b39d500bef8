// The admission Lambda: a Function URL (payload 2.0) that the API server calls for its validating and
// mutating webhooks. Thin: the gate, admit(), and the HTTP answer; Powertools for logs and metrics.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { KubeConfig } from "@kubernetes/client-node";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type AdmitDeps, admit } from "./admit.ts";
import type { HintPublisher } from "./hints.ts";
import { type GateOptions, gate } from "./http-gate.ts";

import { lookUp } from "./lookups.ts";

export interface AdmissionSettings extends GateOptions {
  readonly failOpen: boolean;
  readonly ownUsernames: readonly string[];
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): AdmissionSettings {
  return {
    token: env.WEBHOOK_TOKEN ?? "",
    maxBodyBytes: Number(env.ADMISSION_MAX_BODY_BYTES) || 6 * 1024 * 1024,
    failOpen: env.ADMISSION_FAIL_OPEN === "true",
    ownUsernames: (env.FUNCTIONS_USERNAMES ?? "").split(",").filter(Boolean),
  };
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export interface HandlerDeps {
  readonly settings: AdmissionSettings;
  readonly lookUp: AdmitDeps["lookUp"];
  readonly publisher: HintPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The handler body, with its collaborators given (tests pass their own). */
export function admissionHandler(deps: HandlerDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const opened = gate(
      {
        method: event.requestContext?.http?.method ?? "",
        path: event.rawPath ?? "",
        headers: Object.fromEntries(
          Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        ),
        body: event.body,
        isBase64Encoded: event.isBase64Encoded ?? false,
      },
      deps.settings,
    );
    if (!opened.ok) {
      deps.metrics.addMetric(`Rejected${opened.status}`, MetricUnit.Count, 1);
      return json(opened.status, { error: opened.error });
    }
    const admitDeps: AdmitDeps = {
      lookUp: deps.lookUp,
      publisher: deps.publisher,
      failOpen: deps.settings.failOpen,
      ownUsernames: deps.settings.ownUsernames,
      onPublishError: (error) => {
        deps.logger.error("publishing a change hint failed", { error: error as Error });
        deps.metrics.addMetric("HintPublishFailed", MetricUnit.Count, 1);
      },
    };
    const result = await admit(opened.body, opened.webhook, admitDeps);
    if (result.status !== 200) {
      deps.metrics.addMetric("Rejected400", MetricUnit.Count, 1);
      return json(result.status, { error: result.error });
    }
    const { response } = result.review;
    deps.metrics.addMetric(response.allowed ? "Admitted" : "Denied", MetricUnit.Count, 1);
    deps.logger.info("admission decision", {
      webhook: opened.webhook,
      uid: response.uid,
      allowed: response.allowed,
    });
    return json(200, result.review);
  };
}

const logger = new Logger({ serviceName: "vmcp-lambda-admission" });
const metrics = new Metrics({ namespace: "vmcp-lambda", serviceName: "admission" });
let kubeConfig: KubeConfig | undefined;
const defaultKubeConfig = (): KubeConfig => {
  if (!kubeConfig) {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
  }
  return kubeConfig;
};

// Until the AWS wiring (EKS token, EventBridge publisher, the token from SSM): kubeconfig from the
// environment, and hints only logged.
export const handler = middy(
  admissionHandler({
    settings: settingsFromEnv(process.env),
    lookUp: (request) => lookUp(defaultKubeConfig(), request),

    publisher: { publish: async (hint) => logger.info("change hint", { hint }) },
    logger,
    metrics,
  }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
