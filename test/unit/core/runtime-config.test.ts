import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  contentChecksum,
  renderRuntimeConfig,
  runtimeConfig,
} from "../../../functions/core/runtime/config.ts";
import { fitSpecConfig } from "../../../functions/core/runtime/config-fit.ts";
import { discoverBackends } from "../../../functions/core/runtime/discovery.ts";
import { NOW, RUNTIME, server, staticVmcp, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";

const render = (members: ReturnType<typeof server>[]) => {
  const object = staticVmcp();
  const discovery = discoverBackends(members, object.spec.outgoingAuth, new Map(), [], NOW);
  return renderRuntimeConfig(
    runtimeConfig(
      object,
      "static",
      discovery,
      new Map(),
      fitSpecConfig(object.spec.config, RUNTIME.version).value,
    ),
  );
};

describe("the vMCP runtime configuration", () => {
  it("is the same bytes whatever order the members were listed in", () => {
    const a = server("a");
    const b = server("b");
    const c = server("c");
    expect(render([c, a, b])).toBe(render([a, b, c]));
  });

  it("lists static backends with their transports and fills the operational defaults", () => {
    const config = parse(render([server("b", { proxyMode: "sse" }), server("a")]));
    expect(config.backends.map((b: { name: string; transport: string }) => [b.name, b.transport])).toEqual([
      ["a", "streamable-http"],
      ["b", "sse"],
    ]);
    expect(config).toMatchObject({
      name: "team",
      groupRef: "team-group",
      outgoingAuth: { source: "inline" },
      aggregation: {
        conflictResolution: "prefix",
        conflictResolutionConfig: { prefixFormat: "{workload}_" },
      },
      operational: {
        timeouts: { default: "30s" },
        failureHandling: {
          healthCheckInterval: "30s",
          unhealthyThreshold: 3,
          statusReportingInterval: "30s",
        },
      },
    });
  });

  it("has no backends in dynamic mode and keeps the user's own settings over the defaults", () => {
    const object = vmcp({
      config: { operational: { failureHandling: { unhealthyThreshold: 7 } }, backends: [{ name: "x" }] },
    });
    const config = runtimeConfig(
      object,
      "dynamic",
      undefined,
      new Map(),
      fitSpecConfig(object.spec.config, RUNTIME.version).value,
    );
    expect(config.backends).toBeUndefined();
    expect(config.outgoingAuth).toEqual({ source: "discovered" });
    expect(config.operational).toMatchObject({
      failureHandling: { unhealthyThreshold: 7, healthCheckInterval: "30s" },
    });
  });

  it("has a checksum that changes with the content", () => {
    const before = contentChecksum({ "config.yaml": render([server("a")]) }, {}, {});
    const after = contentChecksum({ "config.yaml": render([server("a", { url: "http://moved" })]) }, {}, {});
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });
});
