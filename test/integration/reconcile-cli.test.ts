// The reconcile and resync command-line contract, as a script would use it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { renderKubeconfig } from "../../infra/local/control-plane/kubeconfig.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { runCli } from "../../infra/local/test-kit/command-line.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("cli");
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {
    env: {
      ...process.env,
      KUBECONFIG: "",
      VMCP_IMAGE: "example/vmcp:cli",
      VMCP_RUNTIME_VERSION: "v0.47.0",
      ...env,
    },
  });

describe("vmcp-lambda reconcile and resync", () => {
  it("reconcile prints one JSON result: created, then nothing to do, then not found", async () => {
    await userApply(
      kubeConfig(),
      namespace.name,
      mcpGroup("cli-group"),
      virtualMCPServer("cli-vmcp", { group: "cli-group" }),
    );
    const kubeconfig = inject("kubeconfig");
    const first = await cli(["reconcile", `${namespace.name}/cli-vmcp`, "--kubeconfig", kubeconfig]);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      key: `${namespace.name}/cli-vmcp`,
      mode: "dynamic",
      written: [
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "RoleBinding",
        "ConfigMap",
        "Deployment",
        "Service",
        "VirtualMCPServer",
      ],
      statusWritten: true,
      outcome: "ok",
    });
    // $KUBECONFIG is the default.
    const second = await cli(["reconcile", `${namespace.name}/cli-vmcp`], { KUBECONFIG: kubeconfig });
    expect(JSON.parse(second.stdout)).toEqual({
      key: `${namespace.name}/cli-vmcp`,
      mode: "dynamic",
      written: [],
      statusWritten: false,
      outcome: "ok",
    });
    const missing = await cli(["reconcile", `${namespace.name}/nothing`, "--kubeconfig", kubeconfig]);
    expect(missing.status).toBe(0);
    expect(JSON.parse(missing.stdout)).toMatchObject({ mode: null, outcome: "notFound", written: [] });
  });

  it("resync prints a JSON summary for a namespace", async () => {
    const result = await cli(["resync", "--namespace", namespace.name, "--kubeconfig", inject("kubeconfig")]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ objects: 1, written: 0, failed: 0 });
  });

  it("fails clearly without a kubeconfig, on a bad key, and when the API server cannot be reached", async () => {
    const none = await cli(["reconcile", "a/b"]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
    const bad = await cli(["reconcile", "just-a-name", "--kubeconfig", inject("kubeconfig")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('reconcile needs one NAMESPACE/NAME, not "just-a-name"');
    expect(bad.stdout).toBe("");
    const nowhere = join(mkdtempSync(join(tmpdir(), "vmcp-lambda-cli-")), "kubeconfig");
    writeFileSync(nowhere, renderKubeconfig({ server: "https://127.0.0.1:1", caPem: "", token: "t" }));
    const unreachable = await cli(["reconcile", "a/b", "--kubeconfig", nowhere]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^vmcp-lambda: .*ECONNREFUSED/);
    rmSync(dirname(nowhere), { recursive: true });
  });

  it("refuses to start on an image whose runtime version it cannot tell or does not support, naming the setting", async () => {
    const kubeconfig = inject("kubeconfig");
    const untagged = await cli(["reconcile", "a/b", "--kubeconfig", kubeconfig], {
      VMCP_RUNTIME_VERSION: "",
    });
    expect(untagged.status).toBe(1);
    expect(untagged.stderr).toContain(
      'VMCP_IMAGE "example/vmcp:cli" has no version tag; set VMCP_RUNTIME_VERSION',
    );
    const newer = await cli(["reconcile", "a/b", "--kubeconfig", kubeconfig], {
      VMCP_IMAGE: "ghcr.io/stacklok/toolhive/vmcp:v0.63.0",
      VMCP_RUNTIME_VERSION: "",
    });
    expect(newer.status).toBe(1);
    expect(newer.stderr).toContain("runs vMCP runtime v0.63.0, which is not supported (v0.44.0, v0.47.0)");
    const declared = await cli(["reconcile", "a/b", "--kubeconfig", kubeconfig], {
      VMCP_RUNTIME_VERSION: "0.50",
    });
    expect(declared.status).toBe(1);
    expect(declared.stderr).toContain(
      'VMCP_RUNTIME_VERSION is "0.50", which is not a supported vMCP runtime version',
    );
  });
});
