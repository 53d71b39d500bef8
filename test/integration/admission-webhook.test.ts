// The real API server calls the admission handler over HTTPS, through the webhook configurations of
// infra/webhooks: a local HTTPS server turns each call into a Function URL event for the same handler
// (webhook-server.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getObject } from "../../functions/kube/api.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, kubectlAsync as kubectl, useNamespace } from "./cluster.ts";
import { serveWebhooks, type Webhooks } from "./webhook-server.ts";

const namespace = useNamespace("webhook");
let webhooks: Webhooks;
const published = () => webhooks.publisher.hints;

const manifest = (name: string, spec: string) => `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: VirtualMCPServer
metadata: { name: ${name}, namespace: ${namespace.name} }
spec: ${spec}`;

beforeAll(async () => {
  webhooks = await serveWebhooks(namespace.name);
}, 60_000);

afterAll(async () => {
  await webhooks?.stop();
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
    const before = published().length;
    const dry = await kubectl(["apply", "--dry-run=server", "-f", "-"], old);
    expect(dry.status, dry.stderr).toBe(0);
    expect(published().length).toBe(before);

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
    const hints = published()
      .slice(before)
      .filter((h) => h.name === "old-style");
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
});
