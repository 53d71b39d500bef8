// The admission Lambda: a Function URL (payload 2.0) that the API server calls for its validating and
// mutating webhooks. Thin: the gate, admit(), and the HTTP answer; Powertools for logs and metrics.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DEFAULT_VMCP_IMAGE, runtimeProfile } from "../core/runtime/versions.ts";
import { clusterSettingsFromEnv } from "../lambda/settings.ts";
import { type AdmitDeps, admit } from "./admit.ts";
import type { HintPublisher } from "./hints.ts";
import { type GateOptions, gate } from "./http-gate.ts";

export interface AdmissionSettings extends GateOptions {
  readonly failOpen: boolean;
  readonly ownUsernames: readonly string[];
  readonly runtimeVersion: string;
}

/** Throws, naming the setting, when VMCP_IMAGE runs no supported runtime version (as the reconcile does). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): AdmissionSettings {
  const image = env.VMCP_IMAGE || DEFAULT_VMCP_IMAGE;
  return {
    runtimeVersion: runtimeProfile(image, env.VMCP_RUNTIME_VERSION || undefined).version,
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
      runtimeVersion: deps.settings.runtimeVersion,
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

/** The path token: WEBHOOK_TOKEN (command line, tests) or the SSM SecureString WEBHOOK_TOKEN_PARAMETER. */
async function webhookToken(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.WEBHOOK_TOKEN) return env.WEBHOOK_TOKEN;
  const name = env.WEBHOOK_TOKEN_PARAMETER;
  if (!name) throw new Error("set WEBHOOK_TOKEN_PARAMETER (an SSM SecureString) or WEBHOOK_TOKEN");
  const { getParameter } = await import("@aws-lambda-powertools/parameters/ssm");
  const token = await getParameter(name, { decrypt: true, maxAge: Number.MAX_SAFE_INTEGER });
  if (!token) throw new Error(`the SSM parameter ${name} is empty`);
  return token;
}

/** The bus publisher, made with the first hint: only validations publish (see validating.ts). */
function busPublisher(busName: string): HintPublisher {
  let publisher: Promise<HintPublisher> | undefined;
  return {
    publish: async (hint) => {
      publisher ??= import("./validating.ts").then((v) => new v.EventBusPublisher(busName));
      return (await publisher).publish(hint);
    },
  };
}

async function fromEnvironment(env: NodeJS.ProcessEnv) {
  // Checked now, so a misconfigured function refuses every request; the client is made by the first
  // lookup, which only validation makes (see validating.ts).
  const settings = clusterSettingsFromEnv(env);
  let lookUpInCluster: Promise<AdmitDeps["lookUp"]> | undefined;
  return admissionHandler({
    settings: { ...settingsFromEnv(env), token: await webhookToken(env) },
    lookUp: async (request) => {
      lookUpInCluster ??= import("./validating.ts").then((v) => {
        const kubeConfig = v.clusterAccess(settings);
        return async (r) => v.lookUp(await kubeConfig(), r);
      });
      return (await lookUpInCluster)(request);
    },
    publisher: env.HINT_BUS_NAME
      ? busPublisher(env.HINT_BUS_NAME)
      : { publish: async (hint) => logger.info("change hint (no HINT_BUS_NAME, not published)", { hint }) },
    logger,
    metrics,
  });
}

// Built on the first request and kept for the container; a failure (SSM unreachable) is not kept, so the
// next request tries again.
let ready: Promise<ReturnType<typeof admissionHandler>> | undefined;
export const handler = middy(async (event: APIGatewayProxyEventV2) => {
  ready ??= fromEnvironment(process.env).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(event);
})
  // Never the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its path holds the webhook token.
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));
