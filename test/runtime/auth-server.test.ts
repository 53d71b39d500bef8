// The embedded authorization server's file judged by the real runtime of each version (auth-server-serve.ts):
// `vmcp serve` initializes its authorization server from the file the functions write, with the secret files
// at the paths the Deployment mounts them and the env it names, and fails when one is missing. The
// upstream_inject strategy that relies on the server goes in config.yaml, which `vmcp validate` judges.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { VirtualMCPServer } from "../../functions/core/kinds/toolhive.ts";
import { desiredChildren } from "../../functions/core/reconcile/desired-children.ts";
import { planReconcile } from "../../functions/core/reconcile/plan.ts";
import { authServerProblems } from "../../functions/core/runtime/auth-server.ts";
import { AUTH_SERVER_FILE, embeddedAuthServer } from "../../functions/core/runtime/auth-server-run-config.ts";
import { renderRuntimeConfig } from "../../functions/core/runtime/config.ts";
import { convertAuthConfig } from "../../functions/core/runtime/outgoing-auth.ts";
import { mergePodAdditions } from "../../functions/core/runtime/pod-additions.ts";
import {
  runtimeProfile,
  SUPPORTED_VERSIONS,
  VMCP_IMAGE_REPOSITORY,
} from "../../functions/core/runtime/versions.ts";
import { NOW, server, snapshot, staticVmcp } from "../../infra/local/test-kit/core-inputs.ts";
import { secretFilesOf, serveAuthServer } from "./auth-server-serve.ts";
import { containerEnvNames, validateConfig } from "./vmcp-validate.ts";

const ISSUER = "https://auth.example.com";
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

/** A config.yaml the runtime accepts on its own (static mode, one backend nobody listens on), as planned. */
function plainConfig(version: string) {
  const image = `${VMCP_IMAGE_REPOSITORY}:${version}`;
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
  return configMap.data["config.yaml"] ?? "";
}

/** The authorization server's file and the Deployment that mounts its secrets, as the functions write them. */
function written(config: Record<string, unknown> = authServerConfig) {
  const object = staticVmcp({ authServerConfig: config } as Partial<VirtualMCPServer["spec"]>);
  const embedded = embeddedAuthServer(object, RENDERED);
  if (!embedded) throw new Error("no authorization server written");
  const children = desiredChildren({
    vmcp: object,
    mode: "static",
    image: "example/vmcp:1",
    pod: mergePodAdditions(embedded.pod),
    runtimeConfig: RENDERED,
    authServerConfig: embedded.runConfig,
  });
  const deployment = children.find((c) => c.kind === "Deployment");
  const configMap = children.find((c) => c.kind === "ConfigMap") as unknown as {
    data: Record<string, string>;
  };
  return {
    file: configMap.data[AUTH_SERVER_FILE] ?? "",
    deployment,
    envNames: containerEnvNames(deployment),
  };
}

describe.each(SUPPORTED_VERSIONS)("vmcp serve %s with the authorization server's file", (version) => {
  const { file, deployment, envNames } = written();

  it("initializes the authorization server from it, with its keys at the paths the pod mounts them", async () => {
    expect(envNames).toContain("TOOLHIVE_UPSTREAM_CLIENT_SECRET_GITHUB");
    const run = await serveAuthServer(
      version,
      plainConfig(version),
      file,
      secretFilesOf(deployment),
      envNames,
    );
    expect(run.initialized, run.log).toBe(true);
    expect(run.log).toContain("auth server configuration loaded");
    // The key and secret it was given, not the ephemeral ones it makes up without them.
    expect(run.log).not.toMatch(/ephemeral/i);
  }, 90_000);

  it("refuses it when a file it names is missing (the judge can say no)", async () => {
    const { "/etc/toolhive/authserver/hmac/hmac-0": hmac, ...keysOnly } = secretFilesOf(deployment);
    expect(hmac).toBeDefined();
    const run = await serveAuthServer(version, plainConfig(version), file, keysOnly, envNames);
    expect(run.initialized).toBe(false);
    expect(run.log).toContain(
      "failed to create embedded auth server: failed to load HMAC secrets: failed to read HMAC secret from /etc/toolhive/authserver/hmac/hmac-0",
    );
  }, 90_000);

  it("refuses what the functions refuse before writing: confidential clients over plain HTTP", async () => {
    const config = {
      ...authServerConfig,
      issuer: "http://localhost:8080",
      allowConfidentialClientRegistration: true,
    };
    const object = staticVmcp({ authServerConfig: config } as Partial<VirtualMCPServer["spec"]>);
    expect(authServerProblems(object, version).map((e) => e.message)).toContain(
      "cannot be combined with a plain-HTTP loopback issuer unless insecureAllowConfidentialOverLoopbackHTTP is set: confidential clients would send secrets over cleartext HTTP",
    );
    const unchecked = written(config);
    const run = await serveAuthServer(
      version,
      plainConfig(version),
      unchecked.file,
      secretFilesOf(unchecked.deployment),
      unchecked.envNames,
    );
    expect(run.initialized).toBe(false);
    expect(run.log).toContain(
      "allow_confidential_client_registration cannot be combined with a plain-HTTP loopback issuer",
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
