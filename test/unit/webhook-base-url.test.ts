// The webhooks' base URL, in AWS and behind a local emulator, and the configurations rendered with it.
import { describe, expect, it } from "vitest";
import { renderWebhooks, webhookBaseUrl } from "../../functions/admission/webhook-config.ts";

const TOKEN = "Zq0x7Kd2m9VtR4pLs8Nw";
const FUNCTION_URL = "https://abc123.lambda-url.us-east-1.on.aws/";

type Webhook = {
  name: string;
  clientConfig: { url: string; caBundle?: string };
  objectSelector?: unknown;
  failurePolicy?: string;
  rules?: unknown[];
  matchConditions?: { expression: string }[];
};
const webhooksOf = (configs: Record<string, unknown>[]) =>
  configs.flatMap((config) => (config as { webhooks: Webhook[] }).webhooks);

describe("webhookBaseUrl", () => {
  it("appends the token to the AWS Function URL without a double slash", () => {
    expect(webhookBaseUrl(FUNCTION_URL, TOKEN)).toBe(`https://abc123.lambda-url.us-east-1.on.aws/${TOKEN}`);
    expect(webhookBaseUrl("https://abc123.lambda-url.us-east-1.on.aws", TOKEN)).toBe(
      `https://abc123.lambda-url.us-east-1.on.aws/${TOKEN}`,
    );
  });

  it("uses the emulator's path-style form with the URL id, trimming the endpoint's trailing slashes", () => {
    expect(webhookBaseUrl(FUNCTION_URL, TOKEN, "https://127.0.0.1:4566/")).toBe(
      `https://127.0.0.1:4566/_aws/lambda-url/abc123/${TOKEN}`,
    );
    expect(webhookBaseUrl(FUNCTION_URL, TOKEN, "https://127.0.0.1:4566//")).toBe(
      `https://127.0.0.1:4566/_aws/lambda-url/abc123/${TOKEN}`,
    );
    expect(webhookBaseUrl(FUNCTION_URL, TOKEN, "https://127.0.0.1:4566")).toBe(
      `https://127.0.0.1:4566/_aws/lambda-url/abc123/${TOKEN}`,
    );
  });

  it("takes the URL id from an emulator-issued Function URL as well", () => {
    const emulated = "http://x9y8z7.lambda-url.us-east-1.localhost.localstack.cloud:4566/";
    expect(webhookBaseUrl(emulated, TOKEN, "https://127.0.0.1:4566/")).toBe(
      `https://127.0.0.1:4566/_aws/lambda-url/x9y8z7/${TOKEN}`,
    );
  });
});

describe("renderWebhooks with the base URL", () => {
  const baseUrl = webhookBaseUrl(FUNCTION_URL, TOKEN, "https://127.0.0.1:4566/");
  const configs = renderWebhooks({
    baseUrl,
    caBundle: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
    functionsUsername: "system:serviceaccount:vmcp-lambda:functions",
  });
  const webhooks = webhooksOf(configs);

  it("points every webhook at the base URL's /validate, /mutate or /fence", () => {
    expect(webhooks.length).toBeGreaterThanOrEqual(5);
    for (const webhook of webhooks) {
      expect(webhook.clientConfig.url.startsWith(`${baseUrl}/`)).toBe(true);
      expect([`${baseUrl}/validate`, `${baseUrl}/mutate`, `${baseUrl}/fence`]).toContain(
        webhook.clientConfig.url,
      );
      expect(webhook.clientConfig.caBundle).toBe("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t");
    }
    const mutating = webhooks.filter((w) => w.name.includes(".mutate."));
    expect(mutating.map((w) => w.clientConfig.url)).toEqual([`${baseUrl}/mutate`]);
  });

  it("does not double the slash when the base URL ends in one", () => {
    const rendered = webhooksOf(
      renderWebhooks({ baseUrl: `${baseUrl}/`, caBundle: "", functionsUsername: "functions" }),
    );
    for (const webhook of rendered) {
      expect(webhook.clientConfig.url).not.toContain(`${TOKEN}//`);
      expect(webhook.clientConfig.caBundle).toBeUndefined();
    }
  });

  it("fences ToolHive's operator alone, failing open, with the identity given or its chart's", () => {
    const fenceOf = (rendered: Record<string, unknown>[]) =>
      webhooksOf(rendered).find((w) => w.name === "operator.fence.vmcp-lambda.toolhive.stacklok.dev");
    const fence = fenceOf(configs);
    expect(fence?.clientConfig.url).toBe(`${baseUrl}/fence`);
    expect(fence?.failurePolicy).toBe("Ignore");
    expect(fence?.matchConditions?.[0]?.expression).toBe(
      "request.userInfo.username == 'system:serviceaccount:toolhive-system:toolhive-operator'",
    );
    const custom = fenceOf(
      renderWebhooks({
        baseUrl,
        caBundle: "",
        functionsUsername: "f",
        operatorUsername: "system:serviceaccount:ops:thv",
      }),
    );
    expect(custom?.matchConditions?.[0]?.expression).toBe(
      "request.userInfo.username == 'system:serviceaccount:ops:thv'",
    );
    expect(() =>
      renderWebhooks({ baseUrl, caBundle: "", functionsUsername: "f", operatorUsername: "x' || true || '" }),
    ).toThrow("operatorUsername must not contain a quote");
  });

  it("watches the Deployments it manages, and only those, without ever blocking them", () => {
    const deployments = webhooks.find(
      (w) => w.name === "deployments.validate.vmcp-lambda.toolhive.stacklok.dev",
    );
    expect(deployments).toBeDefined();
    expect(deployments?.objectSelector).toEqual({
      matchLabels: { "app.kubernetes.io/managed-by": "vmcp-lambda" },
    });
    expect(deployments?.failurePolicy).toBe("Ignore");
    expect(deployments?.clientConfig.url).toBe(`${baseUrl}/validate`);
    expect(deployments?.rules).toEqual([
      {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        operations: ["UPDATE"],
        resources: ["deployments/status"],
        scope: "Namespaced",
      },
    ]);
  });
});
