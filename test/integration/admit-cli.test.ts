// `vmcp-lambda admit`: an AdmissionReview on stdin, the response on stdout, against the real API server.
import { describe, expect, inject, it } from "vitest";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { admissionReview } from "../../infra/local/test-kit/admission-review.ts";
import { runCli } from "../../infra/local/test-kit/command-line.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("admit");
const admit = (stdin: string, ...args: string[]) =>
  runCli(["admit", ...args], { stdin, env: { ...process.env, KUBECONFIG: "" } });
const review = (groupName: string) =>
  JSON.stringify(
    admissionReview(
      "VirtualMCPServer",
      virtualMCPServer("v", { namespace: namespace.name, group: groupName }),
      {
        uid: "cli-1",
      },
    ),
  );

describe("vmcp-lambda admit", () => {
  it("validates against the API server: a missing group is denied, an existing one admitted (exit 0 both)", async () => {
    await userApply(kubeConfig(), namespace.name, mcpGroup("here"));
    const kubeconfig = inject("kubeconfig");
    const denied = await admit(review("absent"), "--kubeconfig", kubeconfig);
    expect(denied.status).toBe(0);
    expect(JSON.parse(denied.stdout).response).toMatchObject({
      uid: "cli-1",
      allowed: false,
      status: { code: 403, message: expect.stringContaining('MCPGroup "absent" not found') },
    });
    const admitted = await admit(review("here"), "--kubeconfig", kubeconfig);
    expect(JSON.parse(admitted.stdout).response).toEqual({ uid: "cli-1", allowed: true });
    expect(admitted.stderr).toContain('change hint {"kind":"VirtualMCPServer"');
  });

  it("mutates with --mutate, fails closed without a kubeconfig, and exits 1 on a non-review", async () => {
    const mutated = JSON.parse((await admit(review("here"), "--mutate")).stdout).response;
    expect(mutated).toMatchObject({ allowed: true, patchType: "JSONPatch" });
    expect(JSON.parse(Buffer.from(mutated.patch, "base64").toString())).toContainEqual({
      op: "add",
      path: "/metadata/labels",
      value: { "toolhive.stacklok.dev/group": "here" },
    });
    const blind = await admit(review("here"));
    expect(JSON.parse(blind.stdout).response).toMatchObject({
      allowed: false,
      status: { message: expect.stringContaining("could not be verified (no kubeconfig") },
    });
    const bad = await admit("{}");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("not an admission.k8s.io/v1 AdmissionReview");
    expect(bad.stdout).toBe("");
  });
});
