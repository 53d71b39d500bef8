import { describe, expect, it } from "vitest";
import { discoverBackends, routableCount } from "../../../functions/core/runtime/discovery.ts";
import { LATER, NOW, proxy, server } from "../../../infra/local/test-kit/core-inputs.ts";
import {
  headerInjection,
  mcpExternalAuthConfig,
  tokenExchange,
} from "../../../infra/local/test-kit/toolhive-objects.ts";

const configs = new Map([
  ["weather-key", mcpExternalAuthConfig("weather-key", { spec: headerInjection() })],
  ["corp", mcpExternalAuthConfig("corp", { spec: tokenExchange() })],
]);

describe("discoverBackends (static mode)", () => {
  it("reports every member sorted by name, with transport, health and auth", () => {
    const members = [
      server("zeta", { phase: "Running", proxyMode: "sse" }),
      proxy("docs", "Pending", "http://docs"),
      server("alpha", { phase: "Running", transport: "stdio", auth: "weather-key" }),
    ];
    const found = discoverBackends(members, undefined, configs, [], NOW);
    expect(found.reported.map((b) => [b.name, b.status, b.authType])).toEqual([
      ["alpha", "ready", "header_injection"],
      ["docs", "unavailable", "unauthenticated"],
      ["zeta", "ready", "unauthenticated"],
    ]);
    expect(found.backends.map((b) => [b.name, b.transport])).toEqual([
      ["alpha", "streamable-http"], // stdio is reached through its streamable-http proxy
      ["docs", "sse"],
      ["zeta", "sse"],
    ]);
    expect(found.reported[0]).toMatchObject({ authConfigRef: "weather-key", lastHealthCheck: NOW });
    expect(found.pod.secretEnv).toEqual([
      { name: "TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY", secret: "creds", key: "api-key" },
    ]);
    expect(routableCount(found.reported)).toBe(2);
  });

  it("keeps lastHealthCheck while a backend's status stays, and moves it when the status changes", () => {
    const first = discoverBackends([server("a"), server("b")], undefined, configs, [], NOW);
    const unchanged = discoverBackends([server("a"), server("b")], undefined, configs, first.reported, LATER);
    expect(unchanged.reported).toEqual(first.reported);
    const changed = discoverBackends(
      [server("a", { phase: "Failed" }), server("b")],
      undefined,
      configs,
      first.reported,
      LATER,
    );
    expect(changed.reported.map((b) => b.lastHealthCheck)).toEqual([LATER, NOW]);
  });

  it("leaves out of the configuration, and explains, members without a URL or with broken auth", () => {
    const found = discoverBackends(
      [server("nourl", { url: "" }), server("badauth", { auth: "missing" })],
      undefined,
      configs,
      [],
      NOW,
    );
    expect(found.backends).toEqual([]);
    expect(found.problems).toEqual([
      'badauth: MCPExternalAuthConfig "missing" not found',
      "nourl: no URL yet",
    ]);
    expect(found.reported.every((b) => b.status === "unavailable")).toBe(true);
  });

  it("applies the inline auth: a per-backend override beats the member's ref, the default covers the rest", () => {
    const found = discoverBackends(
      [server("a", { auth: "weather-key" }), server("b")],
      {
        source: "inline",
        default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "corp" } },
        backends: { a: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "corp" } } },
      },
      configs,
      [],
      NOW,
    );
    expect(found.backends.map((b) => [b.name, b.strategy.type])).toEqual([
      ["a", "token_exchange"],
      ["b", "token_exchange"],
    ]);
    expect(found.backends[0]?.strategy).toEqual({
      type: "token_exchange",
      tokenExchange: {
        tokenUrl: "https://idp/token",
        clientId: "vmcp",
        clientSecretEnv: "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_CORP",
        audience: "api",
      },
    });
  });

  it("accepts both groupRef spellings (membership is decided by the caller, transport by the member)", () => {
    const found = discoverBackends([server("old", { group: "team-group" })], undefined, configs, [], NOW);
    expect(found.backends).toHaveLength(1);
  });
});
