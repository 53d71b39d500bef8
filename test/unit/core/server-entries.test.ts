// MCPServerEntry members: discovered in static mode as backends of type entry, with their CA bundle mounted
// and their forwarded headers as env, in the spellings ToolHive's runtime reads back; routed to only once
// Valid; and in dynamic mode the pod still gets what the runtime will need for them.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Condition } from "../../../functions/core/kinds/kubernetes.ts";
import type { Child } from "../../../functions/core/reconcile/desired-children.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { groupsNamedBy } from "../../../functions/core/reconcile/related-kinds.ts";
import { discoverBackends, memberPodAdditions } from "../../../functions/core/runtime/discovery.ts";
import { caBundleVolume, headerForwardEnv } from "../../../functions/core/runtime/server-entries.ts";
import {
  entry,
  NOW,
  RUNTIME,
  server,
  snapshot,
  staticVmcp,
  vmcp,
} from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpExternalAuthConfig, tokenExchange } from "../../../infra/local/test-kit/toolhive-objects.ts";

type Any = Record<string, any>;
const configs = new Map([["corp", mcpExternalAuthConfig("corp", { spec: tokenExchange() })]]);
const CA = { configMapRef: { name: "corp-ca", key: "root.pem" } };
const HEADERS = {
  addPlaintextHeaders: { "X-Tenant-ID": "tenant-123" },
  addHeadersFromSecret: [
    { headerName: "Authorization", valueSecretRef: { name: "api-creds", key: "token" } },
  ],
};

const planOf = (fields: Parameters<typeof snapshot>[0]) =>
  planReconcile(snapshot(fields), { image: "example/vmcp:1", runtime: RUNTIME, now: NOW });
const child = (children: readonly Child[], kind: string) => children.find((c) => c.kind === kind) as Any;
const podOf = (children: readonly Child[]) => child(children, "Deployment").spec.template.spec;

describe("MCPServerEntry members in static mode", () => {
  it("are backends at their remoteUrl once Valid, with their own transport and auth", () => {
    const found = discoverBackends(
      [
        entry("remote", { spec: { transport: "sse", externalAuthConfigRef: { name: "corp" } } }),
        server("local"),
      ],
      undefined,
      configs,
      [],
      NOW,
    );
    expect(found.backends.map((b) => [b.name, b.kind, b.url, b.transport, b.strategy.type])).toEqual([
      [
        "local",
        "MCPServer",
        "http://mcp-local-proxy.tools.svc.cluster.local:8080/mcp",
        "streamable-http",
        "unauthenticated",
      ],
      ["remote", "MCPServerEntry", "https://remote.example.com/mcp", "sse", "token_exchange"],
    ]);
    expect(found.reported[1]).toMatchObject({
      name: "remote",
      url: "https://remote.example.com/mcp",
      status: "ready",
      authConfigRef: "corp",
      authType: "token_exchange",
      message: "MCPServerEntry is Valid",
    });
    expect(found.pod.secretEnv.map((e) => e.name)).toEqual(["TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_CORP"]);
  });

  it("are reported but not routed to until Valid: Failed is unavailable, Pending or no phase unknown", () => {
    const found = discoverBackends(
      [
        entry("failed", {
          phase: "Failed",
          conditions: [{ type: "Valid", message: "MCPGroup team-group is not ready" }],
        }),
        entry("pending", { phase: "Pending" }),
        entry("fresh", { phase: undefined }),
      ].map((e) => (e.metadata.name === "fresh" ? { ...e, status: undefined } : e)),
      undefined,
      configs,
      [],
      NOW,
    );
    expect(found.backends).toEqual([]);
    expect(found.reported.map((b) => [b.name, b.status, b.message])).toEqual([
      ["failed", "unavailable", "MCPServerEntry phase is Failed (MCPGroup team-group is not ready)"],
      ["fresh", "unknown", "MCPServerEntry phase is not reported yet"],
      ["pending", "unknown", "MCPServerEntry phase is Pending"],
    ]);
    expect(found.problems).toEqual([
      "failed: MCPServerEntry phase is Failed (MCPGroup team-group is not ready)",
      "fresh: MCPServerEntry phase is not reported yet",
      "pending: MCPServerEntry phase is Pending",
    ]);
    expect(found.pod).toEqual({ secretEnv: [], env: [], mounts: [], secretVolumes: [] });
  });

  it("leave out, and explain, an entry whose URL, transport or CA bundle key the runtime could not use", () => {
    const found = discoverBackends(
      [
        entry("ftp", { spec: { remoteUrl: "ftp://files.example.com" } }),
        entry("stdio", { spec: { transport: "stdio" } }),
        entry("dots", { spec: { caBundleRef: { configMapRef: { name: "ca", key: "../etc/passwd" } } } }),
      ],
      undefined,
      configs,
      [],
      NOW,
    );
    expect(found.backends).toEqual([]);
    expect(found.problems).toEqual([
      'dots: spec.caBundleRef.configMapRef.key "../etc/passwd" cannot be a file name; use a key such as ca.crt',
      "ftp: spec.remoteUrl is not an http(s) URL",
      "stdio: spec.transport is not sse or streamable-http",
    ]);
    expect(found.reported.every((b) => b.status === "unavailable")).toBe(true);
  });

  it("share no name with another member: the first by kind is kept and the other explained", () => {
    const found = discoverBackends([entry("docs"), server("docs")], undefined, configs, [], NOW);
    expect(found.backends.map((b) => [b.name, b.kind])).toEqual([["docs", "MCPServer"]]);
    expect(found.problems).toEqual([
      "docs: an MCPServer of this name is a member already; the MCPServerEntry is ignored",
    ]);
  });

  it("are written as type entry with their CA bundle's path, which the Deployment mounts there", () => {
    const plan = planOf({
      vmcp: staticVmcp(),
      workloads: [entry("internal", { spec: { caBundleRef: CA } }), server("local")],
    });
    const config = parse(child(plan.apply, "ConfigMap").data["config.yaml"]);
    expect(config.backends).toEqual([
      {
        name: "internal",
        url: "https://internal.example.com/mcp",
        transport: "streamable-http",
        type: "entry",
        caBundlePath: "/etc/toolhive/ca-bundles/internal/root.pem",
        metadata: { group: "team-group", namespace: "tools", workload_type: "server_entry" },
      },
      {
        name: "local",
        url: "http://mcp-local-proxy.tools.svc.cluster.local:8080/mcp",
        transport: "streamable-http",
        metadata: { group: "team-group", namespace: "tools", workload_type: "mcp_server" },
      },
    ]);
    const pod = podOf(plan.apply);
    expect(pod.volumes).toContainEqual({
      name: "ca-bundle-internal",
      configMap: { name: "corp-ca", items: [{ key: "root.pem", path: "root.pem" }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "ca-bundle-internal",
      mountPath: "/etc/toolhive/ca-bundles/internal",
      readOnly: true,
    });
    expect(plan.status?.discoveredBackends).toHaveLength(2);
    expect(plan.status?.backendCount).toBe(2);
  });

  it("forward their headers: a manifest the runtime reads, and each secret value from its Secret", () => {
    const plan = planOf({
      vmcp: staticVmcp(),
      workloads: [entry("internal-api", { spec: { headerForward: HEADERS } })],
    });
    const env = podOf(plan.apply).containers[0].env as Any[];
    expect(env).toContainEqual({
      name: "TOOLHIVE_HEADER_FORWARD_INTERNAL_API",
      value:
        '{"addPlaintextHeaders":{"X-Tenant-ID":"tenant-123"},"addHeadersFromSecret":{"Authorization":"HEADER_FORWARD_AUTHORIZATION_INTERNAL_API"}}',
    });
    expect(env).toContainEqual({
      name: "TOOLHIVE_SECRET_HEADER_FORWARD_AUTHORIZATION_INTERNAL_API",
      valueFrom: { secretKeyRef: { name: "api-creds", key: "token" } },
    });
  });

  it("an entry without headers or CA bundle adds nothing to the pod", () => {
    expect(headerForwardEnv(entry("plain"))).toEqual({ env: [], secretEnv: [] });
    const withEntry = podOf(
      planOf({ vmcp: staticVmcp(), workloads: [entry("plain"), server("local")] }).apply,
    );
    const without = podOf(planOf({ vmcp: staticVmcp(), workloads: [server("local")] }).apply);
    expect(withEntry.volumes).toEqual(without.volumes);
    expect(withEntry.containers[0].env).toEqual(without.containers[0].env);
  });

  it("name their CA volume within a volume name's 63 characters, distinct for long names", () => {
    expect(caBundleVolume("internal")).toBe("ca-bundle-internal");
    const long = (suffix: string) => `${"a".repeat(43)}-${suffix}${"b".repeat(10)}`;
    const [x, y] = [caBundleVolume(long("x")), caBundleVolume(long("y"))];
    expect(x).not.toBe(y);
    for (const name of [x, y]) expect(name).toMatch(/^ca-bundle-a{43}-[0-9a-f]{8}$/);
    expect(x.length).toBeLessThanOrEqual(63);
  });

  it("turning Failed takes the entry out of the configuration and its mount out of the pod", () => {
    const valid = planOf({
      vmcp: staticVmcp(),
      workloads: [server("local"), entry("internal", { spec: { caBundleRef: CA } })],
    });
    const failed = planOf({
      vmcp: staticVmcp(),
      workloads: [server("local"), entry("internal", { phase: "Failed", spec: { caBundleRef: CA } })],
    });
    expect(child(failed.apply, "ConfigMap").data["config.yaml"]).not.toContain("internal");
    expect(podOf(failed.apply).volumes.map((v: Any) => v.name)).toEqual(["vmcp-config"]);
    expect(child(valid.apply, "ConfigMap").data["config.yaml"]).not.toBe(
      child(failed.apply, "ConfigMap").data["config.yaml"],
    );
    expect(
      ((failed.status?.conditions ?? []) as Condition[]).find((c) => c.type === "BackendsDiscovered"),
    ).toMatchObject({
      status: "True",
      message: "Discovered 2 backends (1 usable)",
    });
  });
});

describe("MCPServerEntry members in dynamic mode", () => {
  it("get the pod what the runtime reads from its env and files: auth secrets, headers, CA bundle", () => {
    const plan = planOf({
      vmcp: vmcp(),
      workloads: [
        entry("internal-api", {
          spec: { headerForward: HEADERS, caBundleRef: CA, externalAuthConfigRef: { name: "corp" } },
        }),
      ],
      authConfigs: [...configs.values()],
    });
    const pod = podOf(plan.apply);
    expect((pod.containers[0].env as Any[]).map((e) => e.name)).toEqual(
      expect.arrayContaining([
        "TOOLHIVE_HEADER_FORWARD_INTERNAL_API",
        "TOOLHIVE_SECRET_HEADER_FORWARD_AUTHORIZATION_INTERNAL_API",
        "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_CORP",
      ]),
    );
    expect(pod.volumes.map((v: Any) => v.name)).toEqual(["vmcp-config", "ca-bundle-internal-api"]);
    expect(child(plan.apply, "ConfigMap").data["config.yaml"]).not.toContain("backends:");
  });

  it("reference an entry's Secrets and ConfigMap only once it is Valid, so a broken entry cannot stop the pod", () => {
    const broken = entry("broken", {
      phase: "Failed",
      spec: { headerForward: HEADERS, caBundleRef: CA, externalAuthConfigRef: { name: "corp" } },
    });
    // Its auth config's secret is mounted as every member's is (upstream #6837); its own references are not.
    expect(memberPodAdditions([broken], configs)).toEqual({
      secretEnv: [{ name: "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_CORP", secret: "creds", key: "secret" }],
      env: [],
      mounts: [],
      secretVolumes: [],
    });
  });
});

describe("MCPServerEntry changes", () => {
  it("name the entry's group for the change hint, as other members do", () => {
    expect(groupsNamedBy("MCPServerEntry", entry("remote"))).toEqual(["team-group"]);
    expect(groupsNamedBy("MCPServerEntry", { metadata: { name: "x" }, spec: {} })).toEqual([]);
  });
});
