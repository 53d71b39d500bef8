// The real API server calls the admission handler over HTTPS, through the webhook configurations of
// infra/webhooks: a local HTTPS server turns each call into a Function URL event for the same handler.

import { createServer, type Server } from "node:https";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admissionHandler } from "../../functions/admission/handler.ts";
import { RecordingPublisher } from "../../functions/admission/hints.ts";
import { lookUp } from "../../functions/admission/lookups.ts";
import { renderWebhooks } from "../../functions/admission/webhook-config.ts";
import { getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { servingCertificate } from "../../infra/local/aws-stack/certificates.ts";
import { patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { defaultAdmissionSettings, silentObservability } from "../../infra/local/test-kit/lambda.ts";
import { mcpGroup } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectlAsync as kubectl, useNamespace } from "./cluster.ts";

const namespace = useNamespace("webhook");
const TOKEN = "integration-token-7f3a";
const publisher = new RecordingPublisher();
let server: Server;
const configs: { kind: string; name: string }[] = [];

const manifest = (name: string, spec: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: ${name}, namespace: ${namespace.name} }
spec: ${spec}`;

beforeAll(async () => {
  const { caPem, certPem, keyPem } = await servingCertificate();
  const handler = admissionHandler({
    // The function's own defaults, as a deployment without extra settings gets them.
    settings: defaultAdmissionSettings(TOKEN),
    lookUp: (request) => lookUp(kubeConfig(), request),
    publisher,
    ...silentObservability(),
  });
  server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const event = {
        version: "2.0",
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        requestContext: { http: { method: req.method ?? "" } },
        body: Buffer.concat(chunks).toString("base64"),
        isBase64Encoded: true,
      } as unknown as APIGatewayProxyEventV2;
      const result = await handler(event);
      res.writeHead(result.statusCode ?? 500, result.headers as Record<string, string>).end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const rendered = renderWebhooks({
    baseUrl: `https://127.0.0.1:${port}/${TOKEN}`,
    caBundle: Buffer.from(caPem).toString("base64"),
    functionsUsername: "system:serviceaccount:vmcp-lambda:functions",
  });
  for (const config of rendered as {
    kind: string;
    metadata: { name: string };
    webhooks: { namespaceSelector: unknown }[];
  }[]) {
    // Only this test's namespace: other test files must not depend on this server.
    for (const webhook of config.webhooks) {
      webhook.namespaceSelector = {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [namespace.name] }],
      };
    }
    const plural =
      config.kind === "ValidatingWebhookConfiguration"
        ? "validatingwebhookconfigurations"
        : "mutatingwebhookconfigurations";
    const path = `/apis/admissionregistration.k8s.io/v1/${plural}/${config.metadata.name}?fieldManager=test&force=true`;
    const response = await rawRequest(kubeConfig(), path, {
      method: "PATCH",
      headers: { "content-type": "application/apply-patch+yaml" },
      body: JSON.stringify(config),
    });
    expect(response.status, response.body).toBeLessThan(300);
    configs.push({ kind: plural, name: config.metadata.name });
  }
  // A configuration takes effect when the API server's informer has it; probe until our answer comes back.
  await eventually(
    async () => {
      const probe = await kubectl(
        ["apply", "--dry-run=server", "-f", "-"],
        manifest("probe", "{ groupRef: { name: no-such-group }, incomingAuth: { type: anonymous } }"),
      );
      if (!probe.stderr.includes("not found in namespace")) throw new Error(`kubectl said: ${probe.stderr}`);
      return true;
    },
    { what: "the webhook's answer", timeout: 20_000, interval: 200 },
  );
}, 60_000);

afterAll(async () => {
  for (const { kind, name } of configs)
    await rawRequest(kubeConfig(), `/apis/admissionregistration.k8s.io/v1/${kind}/${name}`, {
      method: "DELETE",
    });
  await new Promise((resolve) => server?.close(resolve));
});

describe("admission webhooks on the real API server", () => {
  it("refuses a VirtualMCPServer whose group does not exist, naming the group", async () => {
    const result = await kubectl(
      ["apply", "-f", "-"],
      manifest("no-group", "{ groupRef: { name: team-a }, incomingAuth: { type: anonymous } }"),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      `spec.groupRef.name: MCPGroup "team-a" not found in namespace "${namespace.name}"; create it or fix the name`,
    );
  });

  it("refuses a missing auth config reference, naming it", async () => {
    await userApply(kubeConfig(), namespace.name, mcpGroup("team-a"));
    const result = await kubectl(
      ["apply", "-f", "-"],
      manifest(
        "no-auth",
        "{ groupRef: { name: team-a }, incomingAuth: { type: anonymous }, outgoingAuth: { source: inline, default: { type: externalAuthConfigRef, externalAuthConfigRef: { name: corp-sso } } } }",
      ),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'spec.outgoingAuth.default.externalAuthConfigRef.name: MCPExternalAuthConfig "corp-sso" not found',
    );
  });

  it("admits, labels and migrates a valid one, with the warnings in kubectl's output; dry run publishes no hint", async () => {
    const old = manifest("old-style", "{ incomingAuth: { type: anonymous }, config: { groupRef: team-a } }");
    const before = publisher.hints.length;
    const dry = await kubectl(["apply", "--dry-run=server", "-f", "-"], old);
    expect(dry.status, dry.stderr).toBe(0);
    expect(publisher.hints.length).toBe(before);

    const result = await kubectl(["apply", "-f", "-"], old);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "Warning: spec.config.groupRef is deprecated; moved to spec.groupRef.name",
    );
    const stored = (await getObject(kubeConfig(), "VirtualMCPServer", namespace.name, "old-style")) as {
      metadata: { labels: Record<string, string>; uid: string };
      spec: { groupRef: unknown; config: Record<string, unknown> };
    };
    expect(stored.spec.groupRef).toEqual({ name: "team-a" });
    expect(stored.spec.config.groupRef).toBeUndefined();
    expect(stored.metadata.labels["toolhive.stacklok.dev/group"]).toBe("team-a");
    const hints = publisher.hints.slice(before).filter((h) => h.name === "old-style");
    expect(hints).toEqual([
      {
        kind: "VirtualMCPServer",
        namespace: namespace.name,
        name: "old-style",
        uid: stored.metadata.uid,
        operation: "CREATE",
        oldResourceVersion: undefined,
        groups: [],
        at: expect.any(Number),
      },
    ]);
  });

  it("hints a write of an MCPServerEntry, and of its status, with the entry's group", async () => {
    const before = publisher.hints.length;
    const entry = `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServerEntry
metadata: { name: context7, namespace: ${namespace.name} }
spec: { remoteUrl: "https://mcp.context7.com/mcp", transport: streamable-http, groupRef: { name: team-a } }`;
    const applied = await kubectl(["apply", "-f", "-"], entry);
    expect(applied.status, applied.stderr).toBe(0);
    // ToolHive's entry controller reports the entry Valid: static discovery reads that.
    await patchStatus(kubeConfig(), "MCPServerEntry", namespace.name, "context7", { phase: "Valid" });
    const hints = publisher.hints.slice(before).filter((h) => h.kind === "MCPServerEntry");
    expect(hints.map((h) => [h.name, h.operation, h.groups])).toEqual([
      ["context7", "CREATE", ["team-a"]],
      ["context7", "UPDATE", ["team-a"]],
    ]);
  });
});
