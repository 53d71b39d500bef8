// `vmcp-lambda webhooks --stage S` renders, from the deployed stack's outputs and the token in SSM, the
// same webhook configurations the local stack registered with the API server.
import { describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli } from "../../infra/local/test-kit/command-line.ts";
import { kubectl } from "../integration/cluster.ts";

/** What a user pointing the command at the emulator would have in their environment. */
const cliEnvironment = () => ({
  PATH: process.env.PATH,
  AWS_ENDPOINT_URL: inject("awsEndpoint"),
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  ...(inject("awsCaFile") ? { NODE_EXTRA_CA_CERTS: inject("awsCaFile") } : {}),
});
type Config = { kind: string; metadata: { name: string }; webhooks: { name: string; clientConfig: any }[] };

describe("vmcp-lambda webhooks", () => {
  it("renders the registered configurations from the stack's outputs and the SSM token", async () => {
    const run = await runCli(
      [
        "webhooks",
        "--stage",
        "local",
        ...(inject("awsCaFile") ? ["--ca-bundle-file", inject("awsCaFile")] : []),
      ],
      { env: cliEnvironment() },
    );
    expect(run.status, run.stderr).toBe(0);
    const rendered = parseAllDocuments(run.stdout).map((d) => d.toJS() as Config);
    expect(rendered.map((c) => c.kind)).toEqual([
      "ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration",
    ]);
    for (const config of rendered) {
      const live = JSON.parse(
        kubectl(["get", config.kind.toLowerCase(), config.metadata.name, "-o", "json"]).stdout,
      ) as Config;
      const urls = (c: Config) => c.webhooks.map((w) => [w.name, w.clientConfig.url]);
      expect(urls(config)).toEqual(urls(live));
      for (const webhook of config.webhooks)
        expect(webhook.clientConfig.caBundle).toMatch(/^[A-Za-z0-9+/=]{100,}$/);
    }
  });

  it("fails with the stage named when nothing is deployed there", async () => {
    const failure = await runCli(["webhooks", "--stage", "nowhere"], { env: cliEnvironment() });
    expect(failure.status).toBe(1);
    expect(failure.stderr).toMatch(/vmcp-lambda-nowhere/);
  });
});
