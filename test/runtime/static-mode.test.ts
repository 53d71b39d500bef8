// Static mode end to end, per supported runtime version: real MCP servers (streamable HTTP and SSE), the
// functions' reconcile, and ToolHive's vMCP runtime run as the Deployment says. An MCP client sees every
// backend tool under the configured prefix, except those an MCPToolConfig filters out, and calls one on each;
// the header an auth config names reaches its backend with the Secret's value.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPPORTED_VERSIONS, VMCP_IMAGE_REPOSITORY } from "../../functions/core/runtime/versions.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { markDeploymentAvailable, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  headerInjection,
  mcpExternalAuthConfig,
  mcpGroup,
  mcpServer,
  mcpToolConfig,
  virtualMCPServer,
} from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectl, useNamespace } from "../integration/cluster.ts";
import { type Backend, startBackend } from "./mcp-backends.ts";
import { connect } from "./mcp-client.ts";
import { type RunningRuntime, startRuntime } from "./vmcp-process.ts";

const namespace = useNamespace("static-rt");
const ns = () => namespace.name;
const API_KEY = `key-${randomBytes(8).toString("hex")}`;
const TOOLS_PER_BACKEND = 13; // server-everything's
/** What beta's MCPToolConfig lets through of its tools. */
const BETA_TOOLS = ["echo", "get-sum"];

describe.each(SUPPORTED_VERSIONS)("static mode with the real vMCP runtime %s", (version) => {
  const name = `static-${version.replaceAll(".", "-")}`;
  const groupName = `${name}-group`;
  let alpha: Backend;
  let beta: Backend;
  let runtime: RunningRuntime | undefined;

  beforeAll(async () => {
    [alpha, beta] = await Promise.all([startBackend("alpha", "streamableHttp"), startBackend("beta", "sse")]);
    const secret = kubectl([
      "create",
      "secret",
      "generic",
      `${name}-creds`,
      `--from-literal=api-key=${API_KEY}`,
      "-n",
      ns(),
    ]);
    expect(secret.status, secret.stderr).toBe(0);
    await userApply(
      kubeConfig(),
      ns(),
      mcpGroup(groupName),
      mcpExternalAuthConfig(`${name}-key`, { spec: headerInjection(`${name}-creds`, "api-key") }),
      // proxyMode as ToolHive's CRD defaults it, even for a server that speaks SSE itself.
      mcpServer(`${name}-alpha`, {
        group: groupName,
        spec: {
          transport: "streamable-http",
          proxyMode: "streamable-http",
          externalAuthConfigRef: { name: `${name}-key` },
        },
      }),
      mcpServer(`${name}-beta`, {
        group: groupName,
        spec: { transport: "sse", proxyMode: "streamable-http" },
      }),
      mcpToolConfig(`${name}-beta-tools`, { spec: { toolsFilter: BETA_TOOLS } }),
      virtualMCPServer(name, {
        group: groupName,
        spec: {
          outgoingAuth: { source: "inline" },
          config: {
            aggregation: {
              conflictResolution: "prefix",
              conflictResolutionConfig: { prefixFormat: "{workload}__" },
              tools: [{ workload: `${name}-beta`, toolConfigRef: { name: `${name}-beta-tools` } }],
            },
          },
        },
      }),
    );
    for (const [member, backend] of [
      [`${name}-alpha`, alpha],
      [`${name}-beta`, beta],
    ] as const)
      await patchStatus(kubeConfig(), "MCPServer", ns(), member, { phase: "Running", url: backend.url });
    const result = await reconcileOne(kubeConfig(), ns(), name, {
      image: `${VMCP_IMAGE_REPOSITORY}:${version}`,
    });
    expect(result.outcome).toBe("ok");
    runtime = await startRuntime(kubeConfig(), ns(), name, version);
  });

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([alpha?.stop(), beta?.stop()]);
  });

  it("serves alpha's tools and what beta's MCPToolConfig lets through, prefixed, and calls one on each", async () => {
    const session = await connect(runtime?.url ?? "");
    try {
      const names = await session.toolNames();
      const prefixed = (member: string) => names.filter((n) => n.startsWith(`${name}-${member}__`));
      expect(prefixed("alpha")).toHaveLength(TOOLS_PER_BACKEND);
      expect(prefixed("beta").sort()).toEqual(BETA_TOOLS.map((tool) => `${name}-beta__${tool}`).sort());
      expect(names).toHaveLength(TOOLS_PER_BACKEND + BETA_TOOLS.length);
      for (const member of ["alpha", "beta"]) {
        const echoed = await session.call(`${name}-${member}__echo`, { message: `hello ${member}` });
        expect(echoed.isError ?? false).toBe(false);
        expect(echoed.text).toContain(`hello ${member}`);
      }
    } finally {
      await session.close();
    }
  });

  it("sends the header the auth config names, with the Secret's value, to that backend only", () => {
    expect(alpha.headerValues()).toContain(API_KEY);
    expect(beta.headerValues()).toEqual([]);
  });

  it("answers the probes the Deployment declares", async () => {
    const deployment = (await getObject(kubeConfig(), "Deployment", ns(), name)) as {
      spec: { template: { spec: { containers: Record<string, { httpGet: { path: string } }>[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    for (const probe of ["livenessProbe", "readinessProbe"])
      expect(await runtime?.probe(container?.[probe]?.httpGet.path ?? "")).toBe(200);
  });

  it("reports both backends and Ready once the Deployment is available", async () => {
    await markDeploymentAvailable(kubeConfig(), ns(), name);
    await reconcileOne(kubeConfig(), ns(), name, { image: `${VMCP_IMAGE_REPOSITORY}:${version}` });
    const vmcp = (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as {
      status: { phase: string; backendCount: number; discoveredBackends: { name: string; status: string }[] };
    };
    expect(vmcp.status).toMatchObject({ phase: "Ready", backendCount: 2 });
    expect(vmcp.status.discoveredBackends.map((b) => [b.name, b.status])).toEqual([
      [`${name}-alpha`, "ready"],
      [`${name}-beta`, "ready"],
    ]);
  });
});
