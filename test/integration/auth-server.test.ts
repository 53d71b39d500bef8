// The embedded authorization server and the backend auth that relies on it, through the real API server's
// admission webhooks (webhook-server.ts): what the runtime would refuse is denied at `kubectl apply`, with
// the field and the fix in kubectl's output, and spec.authServerConfig survives the CRD whole.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpExternalAuthConfig, mcpGroup } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectlAsync as kubectl, useNamespace } from "./cluster.ts";
import { serveWebhooks, type Webhooks } from "./webhook-server.ts";

const namespace = useNamespace("authserver");
let webhooks: Webhooks;

const manifest = (name: string, spec: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: ${name}, namespace: ${namespace.name} }
spec: ${spec}`;
const AUTH_SERVER = `authServerConfig: { issuer: "https://auth.example.com", hmacSecretRefs: [{ name: as-hmac, key: secret }], upstreamProviders: [{ name: github, type: oauth2, oauth2Config: { authorizationEndpoint: "https://github.com/login/oauth/authorize", tokenEndpoint: "https://github.com/login/oauth/access_token", clientId: gh, userInfo: { endpointUrl: "https://api.github.com/user" } } }] }`;

beforeAll(async () => {
  webhooks = await serveWebhooks(namespace.name);
  await userApply(kubeConfig(), namespace.name, mcpGroup("team-a"));
  await userApply(
    kubeConfig(),
    namespace.name,
    mcpExternalAuthConfig("gh-inject", {
      spec: { type: "upstreamInject", upstreamInject: { providerName: "github" } },
    }),
  );
}, 60_000);

afterAll(async () => {
  await webhooks?.stop();
});

describe("the embedded authorization server at admission", () => {
  it("without OIDC incoming auth: denied, naming the field; the server's settings reached the webhook whole", async () => {
    const result = await kubectl(
      ["apply", "-f", "-"],
      manifest(
        "as-anonymous",
        `{ groupRef: { name: team-a }, incomingAuth: { type: anonymous }, ${AUTH_SERVER} }`,
      ),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "spec.incomingAuth.type: must be oidc with spec.authServerConfig: the embedded authorization server requires OIDC incoming auth",
    );
    // Nothing else was found wrong: the CRD kept every field the checks read (issuer, upstreams).
    expect(result.stderr).not.toContain("spec.authServerConfig.");
  });

  it("upstreamInject without an authorization server: denied with the reason, not a crash-looping pod", async () => {
    const result = await kubectl(
      ["apply", "-f", "-"],
      manifest(
        "inject-alone",
        "{ groupRef: { name: team-a }, incomingAuth: { type: anonymous }, outgoingAuth: { source: inline, default: { type: externalAuthConfigRef, externalAuthConfigRef: { name: gh-inject } } } }",
      ),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      `spec.outgoingAuth.default.externalAuthConfigRef.name: MCPExternalAuthConfig "gh-inject" of type upstreamInject needs the VirtualMCPServer's embedded authorization server; set spec.authServerConfig`,
    );
  });
});
