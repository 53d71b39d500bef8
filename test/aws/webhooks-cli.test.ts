// `vmcp-lambda webhooks --stage S` renders, from the deployed stack's outputs and the token in SSM, the
// same webhook configurations the local stack registered with the API server.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubectl } from "../integration/cluster.ts";

const run = promisify(execFile);
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
    const { stdout } = await run(
      process.execPath,
      [
        join(inject("repoRoot"), "functions", "cli", "main.ts"),
        "webhooks",
        "--stage",
        "local",
        ...(inject("awsCaFile") ? ["--ca-bundle-file", inject("awsCaFile")] : []),
      ],
      {
        env: cliEnvironment(),
      },
    );
    const rendered = parseAllDocuments(stdout).map((d) => d.toJS() as Config);
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
    const failure = await run(
      process.execPath,
      [join(inject("repoRoot"), "functions", "cli", "main.ts"), "webhooks", "--stage", "nowhere"],
      {
        env: cliEnvironment(),
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/vmcp-lambda-nowhere/);
  });
});
