// The admission Lambda: a Function URL (payload 2.0) that the API server calls for its validating and
// mutating webhooks. Thin: the gate, admit(), and the HTTP answer; the host (lambda/host.ts) for settings,
// logs and metrics.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Controller } from "../core/control/controller.ts";
import { lambdaFunction, type Observability } from "../lambda/host.ts";
import { onFirstUse } from "../lambda/on-first-use.ts";
import { secureParameter } from "../lambda/secure-parameter.ts";
import type { ClusterAccess, Read, WebhookPolicy } from "../lambda/settings.ts";
import { type AdmitDeps, admit, validatingModule } from "./admit.ts";
import type { HintPublisher } from "./hints.ts";
import { type GateOptions, gate } from "./http-gate.ts";

/** The handler's settings: the webhook's policy (lambda/settings.ts) and its path token. */
export type AdmissionSettings = Read<typeof WebhookPolicy> & GateOptions;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export interface HandlerDeps extends Observability {
  readonly settings: AdmissionSettings;
  readonly lookUp: AdmitDeps["lookUp"];
  readonly lookUpOwner?: AdmitDeps["lookUpOwner"];
  readonly controller?: Controller;
  readonly publisher: HintPublisher;
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
      lookUpOwner: deps.lookUpOwner,
      controller: deps.controller,
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

/** The lookups, with a client made by the first one: only validations and the fence look up (validating.ts). */
function clusterLookUps(cluster: ClusterAccess): Pick<AdmitDeps, "lookUp" | "lookUpOwner"> {
  const kubeConfig = onFirstUse(async () => (await validatingModule()).clusterAccess(cluster));
  return {
    lookUp: async (request) => (await validatingModule()).lookUp(await (await kubeConfig())(), request),
    lookUpOwner: async (namespace, name) =>
      (await validatingModule()).lookUpOwner(await (await kubeConfig())(), namespace, name),
  };
}

/** The bus publisher, made with the first hint: only validations publish (see validating.ts). */
function busPublisher(busName: string): HintPublisher {
  const publisher = onFirstUse(async () => new (await validatingModule()).EventBusPublisher(busName));
  return { publish: async (hint) => (await publisher()).publish(hint) };
}

export const handler = lambdaFunction(
  "admission",
  async (settings, tools) =>
    admissionHandler({
      ...tools,
      settings: {
        ...settings.webhook,
        // Read once per container.
        token:
          "value" in settings.webhookToken
            ? settings.webhookToken.value
            : await secureParameter(settings.webhookToken.parameter, Number.MAX_SAFE_INTEGER),
      },
      ...clusterLookUps(settings.cluster),
      controller: settings.controller,
      publisher: busPublisher(settings.hintBus),
    }),
  // Never the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its path holds the webhook token.
  { logEvent: false },
);
