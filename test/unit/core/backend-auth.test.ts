// MCPExternalAuthConfigs as the runtime's backend strategies: every type the runtime can use, secrets as
// the env var names upstream gives them, and a reason that is true for each type it cannot.
import { describe, expect, it } from "vitest";
import type { ExternalAuthConfig } from "../../../functions/core/kinds/toolhive.ts";
import { convertAuthConfig } from "../../../functions/core/runtime/outgoing-auth.ts";

const config = (type: string, settings: Record<string, unknown> = {}): ExternalAuthConfig => ({
  metadata: { name: "my-auth", namespace: "tools" },
  spec: { type, ...(Object.keys(settings).length ? { [type]: settings } : {}) },
});
const ref = (name: string, key: string) => ({ name, key });

describe("convertAuthConfig", () => {
  it("token exchange: short token types as URNs, the client secret as TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_<NAME>", () => {
    expect(
      convertAuthConfig(
        config("tokenExchange", {
          tokenUrl: "https://idp/token",
          clientId: "c",
          clientSecretRef: ref("s", "k"),
          subjectTokenType: "id_token",
          subjectProviderName: "okta",
          externalTokenHeaderName: "X-Upstream",
        }),
      ),
    ).toEqual({
      ok: true,
      configRef: "my-auth",
      strategy: {
        type: "token_exchange",
        tokenExchange: {
          tokenUrl: "https://idp/token",
          clientId: "c",
          subjectProviderName: "okta",
          subjectTokenType: "urn:ietf:params:oauth:token-type:id_token",
          clientSecretEnv: "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_MY_AUTH",
        },
      },
      env: [{ name: "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_MY_AUTH", secret: "s", key: "k" }],
    });
  });

  it("AWS STS: the runtime's fields, no secret (the pod's IAM role signs)", () => {
    const resolved = convertAuthConfig(
      config("awsSts", {
        region: "eu-west-1",
        service: "bedrock",
        roleMappings: [{ claim: "g", roleArn: "arn:r", priority: 2 }],
      }),
    );
    expect(resolved).toMatchObject({
      ok: true,
      strategy: {
        type: "aws_sts",
        awsSts: {
          region: "eu-west-1",
          service: "bedrock",
          roleMappings: [{ claim: "g", roleArn: "arn:r", priority: 2 }],
        },
      },
      env: [],
    });
  });

  it("XAA: both client secrets as upstream's env names", () => {
    const resolved = convertAuthConfig(
      config("xaa", {
        idpTokenUrl: "https://idp/t",
        targetTokenUrl: "https://as/t",
        targetAudience: "api",
        idpClientSecretRef: ref("s", "idp"),
        targetClientSecretRef: ref("s", "target"),
      }),
    );
    expect(resolved).toMatchObject({
      ok: true,
      strategy: {
        type: "xaa",
        xaa: {
          idpClientSecretEnv: "TOOLHIVE_XAA_IDP_CLIENT_SECRET_MY_AUTH",
          targetClientSecretEnv: "TOOLHIVE_XAA_TARGET_CLIENT_SECRET_MY_AUTH",
        },
      },
    });
    expect(resolved.ok && resolved.env.map((e) => e.key)).toEqual(["idp", "target"]);
  });

  it("upstream inject: the provider's token from the embedded authorization server, no secret", () => {
    const resolved = convertAuthConfig(config("upstreamInject", { providerName: "github" }), {
      upstreams: ["okta", "github"],
    });
    expect(resolved).toEqual({
      ok: true,
      configRef: "my-auth",
      strategy: { type: "upstream_inject", upstreamInject: { providerName: "github" } },
      env: [],
    });
  });

  it("upstream inject: a provider the embedded authorization server does not have is refused", () => {
    const resolved = convertAuthConfig(config("upstreamInject", { providerName: "github" }), {
      upstreams: ["okta", ""],
    });
    expect(!resolved.ok && resolved.reason).toBe(
      'MCPExternalAuthConfig "my-auth" of type upstreamInject names providerName "github", which is not among spec.authServerConfig.upstreamProviders (okta, default)',
    );
  });

  it("with an embedded authorization server, an exchange names its first upstream unless it names one", () => {
    const server = { upstreams: ["okta", "github"] };
    const exchange = convertAuthConfig(config("tokenExchange", { tokenUrl: "https://idp/t" }), server);
    expect(exchange.ok && exchange.strategy.tokenExchange).toEqual({
      tokenUrl: "https://idp/t",
      subjectProviderName: "okta",
    });
    const named = convertAuthConfig(config("awsSts", { region: "r", subjectProviderName: "github" }), server);
    expect(named.ok && (named.strategy.awsSts as { subjectProviderName: string }).subjectProviderName).toBe(
      "github",
    );
    const xaa = { idpTokenUrl: "https://idp/t", targetTokenUrl: "https://as/t", targetAudience: "api" };
    expect(convertAuthConfig(config("xaa", xaa), server)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("needs xaa.subjectProviderName"),
    });
    expect(convertAuthConfig(config("xaa", xaa), { upstreams: ["okta"] })).toMatchObject({ ok: true });
  });

  it.each([
    [
      "upstreamInject",
      { providerName: "github" },
      /needs the VirtualMCPServer's embedded authorization server; set spec.authServerConfig/,
    ],
    ["obo", { tokenUrl: "https://idp/t" }, /available only in ToolHive Enterprise.*v0.44.0 and v0.47.0/],
    ["bearerToken", {}, /for MCPRemoteProxy, not for vMCP backends/],
    ["embeddedAuthServer", { issuer: "https://as" }, /embeds one through spec.authServerConfig/],
    ["awsSts", { service: "s3" }, /of type awsSts needs awsSts.region/],
    ["nonsense", {}, /not an auth type vmcp-lambda knows/],
  ])("%s is refused with the reason that holds", (type, settings, reason) => {
    const resolved = convertAuthConfig(config(type, settings));
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.reason).toMatch(reason);
  });
});
