// The real API server calls the admission handler over HTTPS, through the webhook configurations of
// infra/webhooks: a local HTTPS server turns each call into a Function URL event for the same handler
// (webhook-server.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getObject } from "../../functions/kube/api.ts";
import { patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { cedarAuthzJson, configMap, mcpGroup } from "../../infra/local/test-kit/toolhive-objects.ts";
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

  it("refuses a VirtualMCPServer naming a missing authorization ConfigMap, and admits it once the ConfigMap holds Cedar policies", async () => {
    await userApply(kubeConfig(), namespace.name, mcpGroup("team-a"));
    const authz = manifest(
      "with-authz",
      "{ groupRef: { name: team-a }, incomingAuth: { type: anonymous, authzConfig: { type: configMap, configMap: { name: team-authz } } } }",
    );
    const refused = await kubectl(["apply", "-f", "-"], authz);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      `spec.incomingAuth.authzConfig.configMap.name: ConfigMap "team-authz" not found in namespace "${namespace.name}"`,
    );
    await userApply(
      kubeConfig(),
      namespace.name,
      configMap("team-authz", { "authz.json": cedarAuthzJson(["permit(principal, action, resource);"]) }),
    );
    const admitted = await kubectl(["apply", "-f", "-"], authz);
    expect(admitted.status, admitted.stderr).toBe(0);
  });

  it("hints writes of a ConfigMap that holds or held a cedarv1 config; the API server keeps every other ConfigMap's from the function", async () => {
    const hintsOf = (name: string, from: number) =>
      published()
        .slice(from)
        .filter((h) => h.kind === "ConfigMap" && h.name === name);
    const before = published().length;
    await userApply(kubeConfig(), namespace.name, configMap("settings", { "app.properties": "color=blue" }));
    await userApply(
      kubeConfig(),
      namespace.name,
      configMap("policies", { "authz.json": cedarAuthzJson(["permit(principal, action, resource);"]) }),
    );
    expect(hintsOf("policies", before).map((h) => h.operation)).toEqual(["CREATE"]);
    expect(hintsOf("settings", before)).toEqual([]);
    // No longer Cedar: the VirtualMCPServers that name it must hear of it. Then not Cedar before or after.
    await userApply(kubeConfig(), namespace.name, configMap("policies", { "authz.json": "{}" }));
    await userApply(kubeConfig(), namespace.name, configMap("policies", { "authz.json": "[]" }));
    const deleted = await kubectl(["delete", "configmap", "settings", "-n", namespace.name]);
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(hintsOf("policies", before).map((h) => h.operation)).toEqual(["CREATE", "UPDATE"]);
    expect(hintsOf("settings", before)).toEqual([]);
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

  it("hints a write of an MCPServerEntry, and of its status, with the entry's group", async () => {
    const before = published().length;
    const entry = `
apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServerEntry
metadata: { name: context7, namespace: ${namespace.name} }
spec: { remoteUrl: "https://mcp.context7.com/mcp", transport: streamable-http, groupRef: { name: team-a } }`;
    const applied = await kubectl(["apply", "-f", "-"], entry);
    expect(applied.status, applied.stderr).toBe(0);
    // ToolHive's entry controller reports the entry Valid: static discovery reads that.
    await patchStatus(kubeConfig(), "MCPServerEntry", namespace.name, "context7", { phase: "Valid" });
    const hints = published()
      .slice(before)
      .filter((h) => h.kind === "MCPServerEntry");
    expect(hints.map((h) => [h.name, h.operation, h.groups])).toEqual([
      ["context7", "CREATE", ["team-a"]],
      ["context7", "UPDATE", ["team-a"]],
    ]);
  });
});
