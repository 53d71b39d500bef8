// `vmcp-lambda webhooks --stage S`: the webhook configurations for a deployed stack, rendered from its
// CloudFormation outputs and the path token in SSM, as YAML for `kubectl apply -f -`. The token is in the
// output by necessity (it is the webhooks' URL); the command writes nothing anywhere else.
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { stackOutputs, webhookToken } from "../../infra/local/aws-stack/deploy.ts";
import { renderWebhooks, webhookBaseUrl } from "../admission/webhook-config.ts";

export interface WebhooksOptions {
  readonly stage: string;
  readonly region?: string;
  readonly caBundleFile?: string;
  readonly functionsUsername: string;
  readonly operatorUsername?: string | undefined;
}

export async function renderStackWebhooks(options: WebhooksOptions, env = process.env): Promise<string> {
  const settings = options.region ? { region: options.region } : {};
  // Both reads run at once, but when nothing is deployed both fail: the stack's failure names the stage
  // and is the one to report, whichever answer arrives first.
  const [outputs, token] = await Promise.allSettled([
    stackOutputs(settings, options.stage),
    webhookToken(settings, options.stage),
  ]);
  if (outputs.status === "rejected") throw outputs.reason;
  if (token.status === "rejected") throw token.reason;
  // A real Function URL has a public certificate: no CA bundle. An emulator's needs its CA.
  const caBundle = options.caBundleFile
    ? Buffer.from(await readFile(options.caBundleFile)).toString("base64")
    : "";
  const configs = renderWebhooks({
    baseUrl: webhookBaseUrl(
      outputs.value.AdmissionFunctionUrl,
      token.value,
      env.AWS_ENDPOINT_URL || undefined,
    ),
    caBundle,
    functionsUsername: options.functionsUsername,
    ...(options.operatorUsername ? { operatorUsername: options.operatorUsername } : {}),
  });
  return configs.map((config) => stringify(config)).join("---\n");
}
