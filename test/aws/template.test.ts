// `osls package` works offline (every proxy points at a closed port, no AWS credentials) and cfn-lint finds
// no error in the compiled template; the per-function bundles hold only their own code.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureEmulator } from "../../infra/local/aws-stack/emulator.ts";

const run = promisify(execFile);
const FUNCTIONS = ["admission", "router", "reconcile", "resync"];
let dir = "";

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  // cfn-lint lives in the emulator's virtualenv, pinned; present even when VMCP_AWS_ENDPOINT skipped MiniStack.
  await ensureEmulator(inject("repoRoot"));
  dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-package-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    CI: "true",
    SLS_TELEMETRY_DISABLED: "1",
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    https_proxy: "http://127.0.0.1:9",
    http_proxy: "http://127.0.0.1:9",
  };
  await run(
    process.execPath,
    [
      join(inject("repoRoot"), "node_modules", "osls", "bin", "serverless.js"),
      "package",
      "--stage",
      "prod",
      "--package",
      dir,
      "--param=kubeServer=https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
      "--param=kubeCaData=LS0tLS1CRUdJTg==",
      "--param=kubeClusterName=platform",
    ],
    { cwd: inject("repoRoot"), env, timeout: 120_000 },
  );
}, 150_000);

describe("osls package, offline", () => {
  it("compiles a template in which cfn-lint finds no error", async () => {
    const template = join(dir, "cloudformation-template-update-stack.json");
    const lint = await run(join(inject("repoRoot"), ".venv-aws", "bin", "cfn-lint"), [
      template,
      "--format",
      "json",
    ]).catch((failure: { stdout: string }) => failure); // warnings exit non-zero too
    const findings = JSON.parse(lint.stdout || "[]") as { Level: string; Message: string }[];
    expect(findings.filter((f) => f.Level === "Error")).toEqual([]);
    const compiled = JSON.parse(await readFile(template, "utf8"));
    expect(compiled.Resources.ReconcileLambdaFunction.Properties.Environment.Variables.KUBE_AUTH).toBe("eks");
    expect(compiled.Resources.ReconcileLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it("has no wildcard IAM action or resource except X-Ray's, which AWS requires", async () => {
    const compiled = JSON.parse(
      await readFile(join(dir, "cloudformation-template-update-stack.json"), "utf8"),
    );
    const wildcards: string[] = [];
    for (const [id, resource] of Object.entries<{ Type: string; Properties: any }>(compiled.Resources)) {
      if (resource.Type !== "AWS::IAM::Role") continue;
      for (const policy of resource.Properties.Policies ?? [])
        for (const statement of policy.PolicyDocument.Statement) {
          const actions = [statement.Action].flat();
          if (actions.some((a: string) => a.includes("*"))) wildcards.push(`${id}: action ${actions}`);
          if ([statement.Resource].flat().includes("*"))
            wildcards.push(`${id}: * for ${actions.sort().join(",")}`);
        }
    }
    const allowed = "xray:PutTelemetryRecords,xray:PutTraceSegments";
    expect(wildcards.every((w) => w.endsWith(`* for ${allowed}`))).toBe(true);
    expect(wildcards).toHaveLength(3); // router, reconcile, resync trace; admission does not
  });

  it("the EKS access-entry example is a valid template", async () => {
    const lint = await run(join(inject("repoRoot"), ".venv-aws", "bin", "cfn-lint"), [
      join(inject("repoRoot"), "infra", "eks", "access-entries.yml"),
    ]).catch((failure: { code: number; stdout: string }) => failure);
    expect(lint.stdout).toBe("");
  });

  it.each(FUNCTIONS)("packages %s as index.mjs and its chunks, each with its source map", async (fn) => {
    const zip = await stat(join(dir, `${fn}.zip`));
    expect(zip.size).toBeGreaterThan(10_000);
    const listing = await run("python3", ["-m", "zipfile", "-l", join(dir, `${fn}.zip`)]);
    const files = listing.stdout
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[0] ?? "")
      .filter(Boolean)
      .sort();
    expect(files).toContain(`dist/lambda/${fn}/index.mjs`);
    // Only this function's directory, and every code file (the entry or a chunk) with its map.
    const code = files.filter((f) => f.endsWith(".mjs"));
    expect(code.every((f) => f.startsWith(`dist/lambda/${fn}/`))).toBe(true);
    expect(files).toEqual([...code, ...code.map((f) => `${f}.map`)].sort());
  });
});
