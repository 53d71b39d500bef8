// The admission handler served over HTTPS to the real API server, through the webhook configurations of
// infra/webhooks, for one test namespace: a local HTTPS server turns each call into a Function URL event
// for the same handler the Lambda runs. Hints go to a recording publisher, for the test to route.

import { createServer, type Server } from "node:https";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { expect } from "vitest";
import { admissionHandler } from "../../functions/admission/handler.ts";
import { RecordingPublisher } from "../../functions/admission/hints.ts";
import { lookUp, lookUpOwner } from "../../functions/admission/lookups.ts";
import { renderWebhooks } from "../../functions/admission/webhook-config.ts";
import { CONTROLLER_LABEL, type Controller } from "../../functions/core/control/controller.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { servingCertificate } from "../../infra/local/aws-stack/certificates.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { defaultAdmissionSettings, silentObservability } from "../../infra/local/test-kit/lambda.ts";
import { kubeConfig, kubectlAsync as kubectl } from "./cluster.ts";

const TOKEN = "integration-token-7f3a";

export interface Webhooks {
  readonly publisher: RecordingPublisher;
  readonly stop: () => Promise<void>;
}

const probe = (namespace: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata:
  name: probe
  namespace: ${namespace}
  labels: { ${CONTROLLER_LABEL}: vmcp-lambda }
spec: { groupRef: { name: no-such-group }, incomingAuth: { type: anonymous } }`;

/**
 * Serves the webhooks for `namespace` only, and returns once the API server calls them. `controller`: the
 * install's default controller (VMCP_DEFAULT_CONTROLLER); the fence judges `operatorUsername`'s writes.
 */
export async function serveWebhooks(
  namespace: string,
  options: { readonly controller?: Controller; readonly operatorUsername?: string } = {},
): Promise<Webhooks> {
  const publisher = new RecordingPublisher();
  const { caPem, certPem, keyPem } = await servingCertificate();
  const handler = admissionHandler({
    // The function's own defaults, as a deployment without extra settings gets them.
    settings: defaultAdmissionSettings(TOKEN),
    lookUp: (request) => lookUp(kubeConfig(), request),
    lookUpOwner: (ns, name) => lookUpOwner(kubeConfig(), ns, name),
    ...(options.controller ? { controller: options.controller } : {}),
    publisher,
    ...silentObservability(),
  });
  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
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
    ...(options.operatorUsername ? { operatorUsername: options.operatorUsername } : {}),
  });
  const configs: { kind: string; name: string }[] = [];
  for (const config of rendered as {
    kind: string;
    metadata: { name: string };
    webhooks: { name: string; namespaceSelector: unknown }[];
  }[]) {
    // Only this namespace, under names of its own: other test files must not depend on this server.
    config.metadata.name = `${namespace}-${config.metadata.name}`;
    for (const webhook of config.webhooks) {
      webhook.namespaceSelector = {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [namespace] }],
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
      const answer = await kubectl(["apply", "--dry-run=server", "-f", "-"], probe(namespace));
      if (!answer.stderr.includes("not found in namespace"))
        throw new Error(`kubectl said: ${answer.stderr}`);
      return true;
    },
    { what: "the webhook's answer", timeout: 20_000, interval: 200 },
  );
  return {
    publisher,
    stop: async () => {
      for (const { kind, name } of configs)
        await rawRequest(kubeConfig(), `/apis/admissionregistration.k8s.io/v1/${kind}/${name}`, {
          method: "DELETE",
        });
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
