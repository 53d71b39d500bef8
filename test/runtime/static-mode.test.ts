// Static mode end to end, per supported runtime version, over a mixed group: real MCP servers behind an
// MCPServer (streamable HTTP), an MCPRemoteProxy (SSE) and an MCPServerEntry (behind TLS with a certificate
// of a private CA), a composite tool from a VirtualMCPCompositeToolDefinition, the functions' reconcile, and
// ToolHive's vMCP runtime run as the Deployment says. An MCP client sees every backend tool under the
// configured prefix, except those an MCPToolConfig filters out, and calls one on each; the entry is reached
// only through the CA bundle mounted for it; the header an auth config names, and the header an entry
// forwards, reach their backend with the Secret's value.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPPORTED_VERSIONS, VMCP_IMAGE_REPOSITORY } from "../../functions/core/runtime/versions.ts";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { servingCertificate } from "../../infra/local/aws-stack/certificates.ts";
import { markDeploymentAvailable, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import {
  compositeToolDefinition,
  headerInjection,
  mcpExternalAuthConfig,
  mcpGroup,
  mcpRemoteProxy,
  mcpServer,
  mcpServerEntry,
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
const ENTRY_KEY = `entry-${randomBytes(8).toString("hex")}`;
const ENTRY_HEADER = "X-Entry-Key";
const TOOLS_PER_BACKEND = 13; // server-everything's
/** What beta's MCPToolConfig lets through of its tools. */
const BETA_TOOLS = ["echo", "get-sum"];

describe.each(SUPPORTED_VERSIONS)("static mode with the real vMCP runtime %s", (version) => {
  const name = `static-${version.replaceAll(".", "-")}`;
  const groupName = `${name}-group`;
  let alpha: Backend;
  let beta: Backend;
  let gamma: Backend;
  let runtime: RunningRuntime | undefined;

  beforeAll(async () => {
    const tls = await servingCertificate();
    [alpha, beta, gamma] = await Promise.all([
      startBackend("alpha", "streamableHttp"),
      startBackend("beta", "sse"),
      startBackend("gamma", "streamableHttp", ENTRY_HEADER.toLowerCase(), tls),
    ]);
    const ca = kubectl([
      "create",
      "configmap",
      `${name}-ca`,
      `--from-literal=ca.crt=${tls.caPem}`,
      "-n",
      ns(),
    ]);
    expect(ca.status, ca.stderr).toBe(0);
    const secret = kubectl([
      "create",
      "secret",
      "generic",
      `${name}-creds`,
      `--from-literal=api-key=${API_KEY}`,
      `--from-literal=entry-key=${ENTRY_KEY}`,
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
      // A remote server behind ToolHive's proxy, which reports its URL.
      mcpRemoteProxy(`${name}-beta`, { group: groupName, spec: { remoteUrl: beta.url, transport: "sse" } }),
      mcpToolConfig(`${name}-beta-tools`, { spec: { toolsFilter: BETA_TOOLS } }),
      // A remote server the group lists directly: the runtime connects to it, trusting its CA bundle and
      // sending the header it forwards.
      mcpServerEntry(`${name}-gamma`, {
        group: groupName,
        spec: {
          remoteUrl: gamma.url,
          transport: "streamable-http",
          allowPrivateEndpoint: true,
          caBundleRef: { configMapRef: { name: `${name}-ca`, key: "ca.crt" } },
          headerForward: {
            addHeadersFromSecret: [
              { headerName: ENTRY_HEADER, valueSecretRef: { name: `${name}-creds`, key: "entry-key" } },
            ],
          },
        },
      }),
      compositeToolDefinition(`${name}-greet`, {
        spec: {
          name: "greet",
          description: "Greets through alpha's echo",
          parameters: { type: "object", properties: { who: { type: "string" } }, required: ["who"] },
          steps: [
            {
              id: "say",
              type: "tool",
              tool: `${name}-alpha__echo`,
              arguments: { message: "hello {{.params.who}}" },
            },
          ],
        },
      }),
      virtualMCPServer(name, {
        group: groupName,
        spec: {
          outgoingAuth: { source: "inline" },
          config: {
            compositeToolRefs: [{ name: `${name}-greet` }],
            aggregation: {
              conflictResolution: "prefix",
              conflictResolutionConfig: { prefixFormat: "{workload}__" },
              tools: [{ workload: `${name}-beta`, toolConfigRef: { name: `${name}-beta-tools` } }],
            },
          },
        },
      }),
    );
    await patchStatus(kubeConfig(), "MCPServer", ns(), `${name}-alpha`, { phase: "Running", url: alpha.url });
    await patchStatus(kubeConfig(), "MCPRemoteProxy", ns(), `${name}-beta`, {
      phase: "Ready",
      url: beta.url,
    });
    // What ToolHive's entry controller says once the entry's group and Secret exist.
    await patchStatus(kubeConfig(), "MCPServerEntry", ns(), `${name}-gamma`, { phase: "Valid" });
    const result = await reconcileOne(kubeConfig(), ns(), name, {
      image: `${VMCP_IMAGE_REPOSITORY}:${version}`,
    });
    expect(result.outcome).toBe("ok");
    runtime = await startRuntime(kubeConfig(), ns(), name, version);
  });

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([alpha?.stop(), beta?.stop(), gamma?.stop()]);
  });

  it("serves an MCPServer's, a proxy's and an entry's tools (what the proxy's MCPToolConfig lets through) and a composite tool, and calls each", async () => {
    const session = await connect(runtime?.url ?? "");
    try {
      const names = await session.toolNames();
      const prefixed = (member: string) => names.filter((n) => n.startsWith(`${name}-${member}__`));
      for (const member of ["alpha", "gamma"]) expect(prefixed(member)).toHaveLength(TOOLS_PER_BACKEND);
      expect(prefixed("beta").sort()).toEqual(BETA_TOOLS.map((tool) => `${name}-beta__${tool}`).sort());
      // And the composite tool the VirtualMCPCompositeToolDefinition defines.
      expect(names).toContain("greet");
      expect(names).toHaveLength(2 * TOOLS_PER_BACKEND + BETA_TOOLS.length + 1);
      for (const member of ["alpha", "beta", "gamma"]) {
        const echoed = await session.call(`${name}-${member}__echo`, { message: `hello ${member}` });
        expect(echoed.isError ?? false).toBe(false);
        expect(echoed.text).toContain(`hello ${member}`);
      }
      const greeted = await session.call("greet", { who: "composite" });
      expect(greeted.isError ?? false, greeted.text).toBe(false);
      expect(greeted.text).toContain("hello composite");
    } finally {
      await session.close();
    }
  });

  it("sends the header the auth config names, with the Secret's value, to that backend only", () => {
    expect(alpha.headerValues()).toContain(API_KEY);
    expect(beta.headerValues()).toEqual([]);
  });

  it("sends the header the entry forwards, with the Secret's value, to the entry", () => {
    expect(gamma.headerValues()).toContain(ENTRY_KEY);
    expect(gamma.headerValues().every((value) => value === ENTRY_KEY)).toBe(true);
  });

  it("answers the probes the Deployment declares", async () => {
    const deployment = (await getObject(kubeConfig(), "Deployment", ns(), name)) as {
      spec: { template: { spec: { containers: Record<string, { httpGet: { path: string } }>[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    for (const probe of ["livenessProbe", "readinessProbe"])
      expect(await runtime?.probe(container?.[probe]?.httpGet.path ?? "")).toBe(200);
  });

  it("reports the three backends and Ready once the Deployment is available", async () => {
    await markDeploymentAvailable(kubeConfig(), ns(), name);
    await reconcileOne(kubeConfig(), ns(), name, { image: `${VMCP_IMAGE_REPOSITORY}:${version}` });
    const vmcp = (await getObject(kubeConfig(), "VirtualMCPServer", ns(), name)) as {
      status: { phase: string; backendCount: number; discoveredBackends: { name: string; status: string }[] };
    };
    expect(vmcp.status).toMatchObject({ phase: "Ready", backendCount: 3 });
    expect(vmcp.status.discoveredBackends.map((b) => [b.name, b.status])).toEqual([
      [`${name}-alpha`, "ready"],
      [`${name}-beta`, "ready"],
      [`${name}-gamma`, "ready"],
    ]);
  });
});
