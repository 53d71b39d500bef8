// The webhook configurations of infra/webhooks/webhooks.yaml with the deployment's URL, CA and identity
// filled in. The placeholders are whole YAML scalars, so filling them cannot break the document.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const TEMPLATE = fileURLToPath(new URL("../../infra/webhooks/webhooks.yaml", import.meta.url));

export interface WebhookTarget {
  /** The Function URL with the path token, without a trailing slash. */
  readonly baseUrl: string;
  /** Base64 of the PEM CA bundle; empty for the system roots. */
  readonly caBundle: string;
  readonly functionsUsername: string;
  /** ToolHive's operator's identity, whose writes the fence judges (default: its Helm chart's ServiceAccount). */
  readonly operatorUsername?: string;
}

/** The ServiceAccount ToolHive's operator chart runs the operator as. */
export const OPERATOR_USERNAME = "system:serviceaccount:toolhive-system:toolhive-operator";

type Webhook = {
  clientConfig: { url: string; caBundle?: string };
  matchConditions?: { expression: string }[];
};

export function renderWebhooks(target: WebhookTarget): Record<string, unknown>[] {
  const operatorUsername = target.operatorUsername ?? OPERATOR_USERNAME;
  for (const [field, value] of Object.entries({
    functionsUsername: target.functionsUsername,
    operatorUsername,
  }))
    if (value.includes("'")) throw new Error(`${field} must not contain a quote`);
  return parseAllDocuments(readFileSync(TEMPLATE, "utf8")).map((document) => {
    const config = structuredClone(document.toJS()) as { webhooks: Webhook[] } & Record<string, unknown>;
    for (const webhook of config.webhooks) {
      webhook.clientConfig.url = webhook.clientConfig.url.replace(
        "BASE_URL",
        target.baseUrl.replace(/\/$/, ""),
      );
      if (target.caBundle) webhook.clientConfig.caBundle = target.caBundle;
      else delete webhook.clientConfig.caBundle;
      for (const condition of webhook.matchConditions ?? []) {
        condition.expression = condition.expression
          .replace("FUNCTIONS_USERNAME", target.functionsUsername)
          .replace("OPERATOR_USERNAME", operatorUsername);
      }
    }
    return config;
  });
}

/**
 * The webhooks' base URL: the admission Function URL with the path token. Behind a local emulator the
 * Function URL's host (`<url-id>.lambda-url.<region>.on.aws`) does not resolve, so the emulator's
 * path-style form is used: `<endpoint>/_aws/lambda-url/<url-id>/<token>`.
 */
export function webhookBaseUrl(functionUrl: string, token: string, emulatorEndpoint?: string): string {
  const url = new URL(functionUrl);
  if (!emulatorEndpoint) return `${url.origin}/${token}`;
  const urlId = url.hostname.split(".")[0];
  return `${emulatorEndpoint.replace(/\/+$/, "")}/_aws/lambda-url/${urlId}/${token}`;
}
