// VirtualMCPServers that no webhook would admit but that got in another way (no webhook registered, and
// ToolHive's own CRD, which has no rule on names): the reconcile reports them in status, creates no child,
// and a second reconcile writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourcePath } from "../../functions/core/kinds/resources.ts";
import { childKeys } from "../../functions/core/reconcile/related-kinds.ts";
import { getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { type CrdManifest, installCrds, loadCrds } from "../../infra/local/control-plane/crds.ts";
import { countRequests, userApply } from "../../infra/local/test-kit/actors.ts";
import { eventually } from "../../infra/local/test-kit/eventually.ts";
import { mcpGroup } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("hostile-names");
const kc = () => kubeConfig();
const reconcile = (name: string) =>
  reconcileOne(kc(), namespace.name, name, { image: "example/vmcp:v0.47.0" });
type Any = Record<string, any>;

// This project's CRD refuses long and dotted names with CEL rules; ToolHive's own has none. Drop them for
// this file, as a cluster with ToolHive's CRD would be, and put them back after.
let original: CrdManifest;
beforeAll(async () => {
  const crds = await loadCrds();
  original = crds.find((crd) => crd.spec.names.kind === "VirtualMCPServer") as CrdManifest;
  const relaxed = JSON.parse(JSON.stringify(original)) as Any;
  for (const version of relaxed.spec.versions)
    delete version.schema.openAPIV3Schema["x-kubernetes-validations"];
  await installCrds(kc(), [relaxed as CrdManifest]);
  await userApply(kc(), namespace.name, mcpGroup("tools"));
});
afterAll(async () => {
  await installCrds(kc(), [original]);
  // Other files expect the rules: wait until a dry-run create of a 59-character name is refused again.
  const tooLong = objectJson("x".repeat(59), "{}", "tools");
  await eventually(async () => (await post(tooLong, "?dryRun=All")).status === 422, {
    what: "the CRD's name rules back",
    interval: 100,
  });
});

const objectJson = (name: string, config: string, groupRef: string) =>
  `{"apiVersion":"toolhive.stacklok.dev/v1beta1","kind":"VirtualMCPServer","metadata":{"name":${JSON.stringify(name)}},"spec":{"groupRef":{"name":${JSON.stringify(groupRef)}},"incomingAuth":{"type":"anonymous"},"config":${config}}}`;
const post = (body: string, query = "") =>
  rawRequest(kc(), `${resourcePath("VirtualMCPServer", namespace.name)}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

/** Creates a VirtualMCPServer from JSON text (JSON.stringify cannot write 9,000 levels). */
async function create(name: string, config = "{}", groupRef = "tools"): Promise<void> {
  // The relaxed schema reaches the API server's handlers a moment after the CRD update is served.
  await eventually(
    async () => {
      const response = await post(objectJson(name, config, groupRef));
      if (response.status !== 201) throw new Error(`HTTP ${response.status}: ${response.body.slice(0, 300)}`);
      return true;
    },
    { what: `${name} created`, timeout: 5_000, interval: 100 },
  );
}

async function expectReportedNotBuilt(name: string, path: string, message: string): Promise<void> {
  const result = await reconcile(name);
  expect(result).toMatchObject({ outcome: "invalid", written: ["VirtualMCPServer"], statusWritten: true });

  const vmcp = (await getObject(kc(), "VirtualMCPServer", namespace.name, name)) as Any;
  expect(vmcp.status.phase).toBe("Failed");
  expect(vmcp.status.conditions).toContainEqual(
    expect.objectContaining({
      type: "Valid",
      status: "False",
      reason: "ValidationFailed",
      message: expect.stringContaining(`${path}: ${message}`),
    }),
  );
  expect(vmcp.status.conditions).toContainEqual(
    expect.objectContaining({ type: "Ready", status: "False", reason: "ValidationFailed" }),
  );
  for (const [kind, childName] of childKeys(name)) {
    expect(await getObject(kc(), kind, namespace.name, childName), `${kind} ${childName}`).toBeUndefined();
  }

  const again = await countRequests(kc(), () => reconcile(name));
  expect(again.writes).toBe(0);
  const after = (await getObject(kc(), "VirtualMCPServer", namespace.name, name)) as Any;
  expect(after.metadata.resourceVersion).toBe(vmcp.metadata.resourceVersion);
}

describe("objects that got in without the webhook", () => {
  it("a 60-character name: Failed, Valid=False naming the 63-character Service limit, no child", async () => {
    const name = `hostile-${"n".repeat(52)}`;
    expect(name).toHaveLength(60);
    await create(name);
    await expectReportedNotBuilt(
      name,
      "metadata.name",
      `"${name}" has 60 characters; at most 58 fit, since the Service is vmcp-<name> and Service names are limited to 63; choose a shorter name`,
    );
  });

  it("a dotted name, which Kubernetes allows and a Service does not: Failed, no child", async () => {
    await create("team.tools");
    await expectReportedNotBuilt("team.tools", "metadata.name", `"team.tools" is not a DNS label`);
  });

  it("a groupRef naming a subresource of an existing group: Failed, the group not taken as found", async () => {
    await create("subresource-ref", "{}", "tools/status");
    await expectReportedNotBuilt(
      "subresource-ref",
      "spec.groupRef.name",
      `"tools/status" cannot be the name of any MCPGroup`,
    );
  });

  it("spec.config 9,000 levels deep (the API server stores up to 10,000): Failed, no stack overflow", async () => {
    await create("deep-config", `${'{"a":'.repeat(9_000)}1${"}".repeat(9_000)}`);
    await expectReportedNotBuilt(
      "deep-config",
      "spec.config",
      "nested more than 100 levels deep; no setting needs that many, so flatten it",
    );
  });
});
