// The embedded authorization server's file judged by the real runtime. `vmcp validate` does not read
// authserver-config.yaml (only `serve` does, from config.yaml's directory), so the judge is `vmcp serve`:
// the file is accepted once the runtime logs that its authorization server is initialized, which it does
// after loading the file, validating it and reading the signing key and HMAC secret files. Those files sit
// at the paths the pod mounts them, under /etc, in a private mount namespace (an overlay over /etc; the
// tests run as root, the host is untouched); client secrets are env placeholders, as the pod's
// secretKeyRefs would give them. The upstream_inject strategy that relies on the server goes in config.yaml,
// which `vmcp validate` does judge.
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { VirtualMCPServer } from "../../functions/core/kinds/toolhive.ts";
import { planReconcile } from "../../functions/core/reconcile/plan.ts";
import { embeddedAuthServer } from "../../functions/core/runtime/auth-server-run-config.ts";
import { renderRuntimeConfig } from "../../functions/core/runtime/config.ts";
import { convertAuthConfig } from "../../functions/core/runtime/outgoing-auth.ts";
import {
  runtimeProfile,
  SUPPORTED_VERSIONS,
  VMCP_IMAGE_REPOSITORY,
} from "../../functions/core/runtime/versions.ts";
import { freePort } from "../../infra/local/control-plane/network.ts";
import { runtimeBinary } from "../../infra/local/control-plane/runtimes.ts";
import { NOW, server, snapshot, staticVmcp } from "../../infra/local/test-kit/core-inputs.ts";
import { stopChild } from "./child-process.ts";
import { validateConfig } from "./vmcp-validate.ts";

const ISSUER = "https://auth.example.com";
const INITIALIZED = "embedded authorization server initialized";
const authServerConfig = {
  issuer: ISSUER,
  signingKeySecretRefs: [{ name: "as-keys", key: "current.pem" }],
  hmacSecretRefs: [{ name: "as-hmac", key: "secret" }],
  tokenLifespans: { accessTokenLifespan: "30m", refreshTokenLifespan: "24h" },
  upstreamProviders: [
    {
      name: "github",
      type: "oauth2",
      oauth2Config: {
        authorizationEndpoint: "https://github.com/login/oauth/authorize",
        tokenEndpoint: "https://github.com/login/oauth/access_token",
        clientId: "gh-client",
        clientSecretRef: { name: "github-oauth", key: "client-secret" },
        scopes: ["repo", "read:user"],
        userInfo: { endpointUrl: "https://api.github.com/user", fieldMapping: { subjectFields: ["id"] } },
      },
    },
  ],
};
// Incoming OIDC as the MCPOIDCConfig resolution renders it: the file takes its audience and scopes.
const RENDERED = {
  incomingAuth: {
    type: "oidc",
    oidc: {
      issuer: ISSUER,
      clientId: "vmcp",
      audience: "https://vmcp.example.com/mcp",
      resource: "https://vmcp.example.com/mcp",
    },
  },
};

interface Run {
  readonly initialized: boolean;
  readonly log: string;
}

/**
 * `vmcp serve` over config.yaml and the authorization server's file, with the Secret files the pod would
 * mount (`files`: path under /etc → content) and the env its secretKeyRefs would set (placeholders).
 */
async function serve(
  version: string,
  runConfig: Record<string, unknown>,
  files: Record<string, string>,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "vmcp-authserver-"));
  const image = `${VMCP_IMAGE_REPOSITORY}:${version}`;
  // A config.yaml the runtime accepts on its own: static mode, one backend nobody listens on.
  const plan = planReconcile(
    snapshot({
      vmcp: staticVmcp() as VirtualMCPServer,
      workloads: [server("a", { url: "http://127.0.0.1:9/mcp" })],
    }),
    { image, runtime: runtimeProfile(image), now: NOW },
  );
  const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  writeFileSync(join(dir, "config.yaml"), configMap.data["config.yaml"] ?? "");
  writeFileSync(join(dir, "authserver-config.yaml"), renderRuntimeConfig(runConfig));
  const upper = join(dir, "etc-upper");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(upper, path, ".."), { recursive: true });
    writeFileSync(join(upper, path), content, { mode: 0o400 });
  }
  const port = await freePort();
  const script = [
    `mount -t tmpfs tmpfs ${dir}/scratch`,
    `cp -a ${upper} ${dir}/scratch/upper && mkdir ${dir}/scratch/work`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/scratch/upper,workdir=${dir}/scratch/work /etc`,
    `exec ${runtimeBinary(version)} serve --config=${dir}/config.yaml --host=127.0.0.1 --port=${port}`,
  ].join(" && ");
  mkdirSync(join(dir, "scratch"));
  mkdirSync(upper, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    UNSTRUCTURED_LOGS: "false",
    TOOLHIVE_UPSTREAM_CLIENT_SECRET_GITHUB: "placeholder-client-secret",
  };
  const child = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", script], { env });
  let log = "";
  const done = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    const collect = (chunk: Buffer) => {
      log += chunk;
      if (log.includes(INITIALIZED)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(log.includes(INITIALIZED));
    });
  });
  const initialized = await done;
  await stopChild(child, dir);
  return { initialized, log };
}

const pem = () =>
  generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
const secretFiles = () => ({
  "toolhive/authserver/keys/key-0.pem": pem(),
  "toolhive/authserver/hmac/hmac-0": randomBytes(32).toString("base64"),
});

describe.each(SUPPORTED_VERSIONS)("vmcp serve %s with the authorization server's file", (version) => {
  const object = staticVmcp({ authServerConfig } as Partial<VirtualMCPServer["spec"]>);
  const written = embeddedAuthServer(object, RENDERED);

  it("initializes the authorization server from it, with its keys at the paths the pod mounts them", async () => {
    const run = await serve(version, written?.runConfig ?? {}, secretFiles());
    expect(run.initialized, run.log).toBe(true);
    expect(run.log).toContain("auth server configuration loaded");
    // The key and secret it was given, not the ephemeral ones it makes up without them.
    expect(run.log).not.toMatch(/ephemeral/i);
  }, 90_000);

  it("refuses it when a file it names is missing (the judge can say no)", async () => {
    const { "toolhive/authserver/hmac/hmac-0": _, ...keysOnly } = secretFiles();
    const run = await serve(version, written?.runConfig ?? {}, keysOnly);
    expect(run.initialized).toBe(false);
    expect(run.log).toContain(
      "failed to create embedded auth server: failed to load HMAC secrets: failed to read HMAC secret from /etc/toolhive/authserver/hmac/hmac-0",
    );
  }, 90_000);

  it("takes the upstream_inject strategy as the functions spell it (vmcp validate)", async () => {
    const inject = convertAuthConfig(
      {
        metadata: { name: "gh-inject" },
        spec: { type: "upstreamInject", upstreamInject: { providerName: "github" } },
      },
      { upstreams: ["github"] },
    );
    if (!inject.ok) throw new Error(inject.reason);
    const image = `${VMCP_IMAGE_REPOSITORY}:${version}`;
    const plan = planReconcile(snapshot({ vmcp: staticVmcp() as VirtualMCPServer }), {
      image,
      runtime: runtimeProfile(image),
      now: NOW,
    });
    const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
      data: Record<string, string>;
    };
    const config = parse(configMap.data["config.yaml"] ?? "");
    config.outgoingAuth.default = inject.strategy;
    const verdict = await validateConfig(version, renderRuntimeConfig(config), []);
    expect(verdict.accepted, verdict.output).toBe(true);
    // The judge says no to a misspelling of the same strategy.
    config.outgoingAuth.default = { type: "upstream_inject", upstreamInject: { provider: "github" } };
    expect((await validateConfig(version, renderRuntimeConfig(config), [])).accepted).toBe(false);
  }, 90_000);
});
