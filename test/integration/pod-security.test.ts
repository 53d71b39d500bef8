// The vMCP pod the functions describe, judged by the API server's own Pod Security admission at level
// "restricted": a Pod of the Deployment's template is admitted (dry run) in a namespace that enforces it,
// in both modes; the same Pod without its seccomp profile is refused, so the check can fail.
import { beforeAll, describe, expect, it } from "vitest";
import { getObject } from "../../functions/kube/api.ts";
import { rawRequest } from "../../functions/kube/raw-request.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("podsec");
type Any = Record<string, any>;

async function admitPod(spec: Any): Promise<{ status: number; body: string }> {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "vmcp-probe" }, spec };
  return rawRequest(kubeConfig(), `/api/v1/namespaces/${namespace.name}/pods?dryRun=All`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(pod),
  });
}

beforeAll(async () => {
  const labelled = await rawRequest(kubeConfig(), `/api/v1/namespaces/${namespace.name}`, {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json" },
    body: JSON.stringify({ metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }),
  });
  expect(labelled.status, labelled.body).toBe(200);
  await userApply(
    kubeConfig(),
    namespace.name,
    mcpGroup("podsec-group"),
    virtualMCPServer("dynamic", { group: "podsec-group" }),
    virtualMCPServer("static", { group: "podsec-group", spec: { outgoingAuth: { source: "inline" } } }),
  );
  for (const name of ["dynamic", "static"])
    await reconcileOne(kubeConfig(), namespace.name, name, { image: "example/vmcp:v0.47.0" });
});

describe("the vMCP pod under Pod Security restricted", () => {
  it.each(["dynamic", "static"])("is admitted in %s mode", async (name) => {
    const deployment = (await getObject(kubeConfig(), "Deployment", namespace.name, name)) as Any;
    const admitted = await admitPod(deployment.spec.template.spec);
    expect(admitted.status, admitted.body).toBe(201);
  });

  it("is refused without its seccomp profile (the check can fail)", async () => {
    const deployment = (await getObject(kubeConfig(), "Deployment", namespace.name, "dynamic")) as Any;
    const spec = structuredClone(deployment.spec.template.spec) as Any;
    delete spec.securityContext.seccompProfile;
    delete spec.containers[0].securityContext.seccompProfile;
    const refused = await admitPod(spec);
    expect(refused.status).toBe(403);
    expect((JSON.parse(refused.body) as { message: string }).message).toContain(
      `violates PodSecurity "restricted:latest": seccompProfile`,
    );
  });
});
