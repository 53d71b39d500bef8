// spec.authServerConfig, the embedded authorization server: checked as ToolHive's operator checks it (field
// paths in every message, AuthServerConfigValidated with upstream's reasons, admission and reconcile alike),
// written as the runtime loads it (authserver-config.yaml beside config.yaml, secrets only named: Secret
// volumes and secretKeyRef env), and held against the incoming OIDC settings as upstream holds it.

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AdmissionReview } from "../../../functions/core/admission/review.ts";
import { decideValidation } from "../../../functions/core/admission/validate.ts";
import { CONTENT_CHECKSUM } from "../../../functions/core/kinds/names.ts";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import { desiredChildren } from "../../../functions/core/reconcile/desired-children.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { integrationProblems } from "../../../functions/core/runtime/auth-server-integration.ts";
import {
  AUTH_SERVER_FILE,
  embeddedAuthServer,
} from "../../../functions/core/runtime/auth-server-run-config.ts";
import { mergePodAdditions } from "../../../functions/core/runtime/pod-additions.ts";
import { withPrimaryUpstream } from "../../../functions/core/runtime/primary-upstream.ts";
import { runtimeProfile } from "../../../functions/core/runtime/versions.ts";
import { admissionReview } from "../../../infra/local/test-kit/admission-review.ts";
import { NOW, RUNTIME, snapshot, vmcp } from "../../../infra/local/test-kit/core-inputs.ts";
import { mcpExternalAuthConfig, mcpOIDCConfig } from "../../../infra/local/test-kit/toolhive-objects.ts";

const ISSUER = "https://auth.example.com";
const github = {
  name: "github",
  type: "oauth2",
  oauth2Config: {
    authorizationEndpoint: "https://github.com/login/oauth/authorize",
    tokenEndpoint: "https://github.com/login/oauth/access_token",
    clientId: "gh-client",
    clientSecretRef: { name: "github-oauth", key: "client-secret" },
    scopes: ["repo"],
    userInfo: { endpointUrl: "https://api.github.com/user", fieldMapping: { subjectFields: ["id"] } },
  },
};
const okta = {
  name: "okta-idp",
  type: "oidc",
  oidcConfig: {
    issuerUrl: "https://corp.okta.com",
    clientId: "okta-client",
    redirectUri: "https://vmcp.example.com/cb",
    caBundleRef: { configMapRef: { name: "corp-ca", key: "bundle.pem" } },
  },
};
const authServer = (over: Record<string, unknown> = {}) => ({
  issuer: ISSUER,
  signingKeySecretRefs: [
    { name: "keys", key: "current.pem" },
    { name: "keys", key: "previous.pem" },
  ],
  hmacSecretRefs: [{ name: "hmac", key: "secret" }],
  tokenLifespans: { accessTokenLifespan: "30m" },
  upstreamProviders: [github, okta],
  ...over,
});
const withServer = (config: unknown, spec: Partial<VirtualMCPServer["spec"]> = {}) =>
  vmcp({ authServerConfig: config, ...spec } as Partial<VirtualMCPServer["spec"]>);

// The runtime configuration as the MCPOIDCConfig resolution renders incoming auth.
const RENDERED = {
  incomingAuth: {
    type: "oidc",
    oidc: {
      issuer: ISSUER,
      clientId: "vmcp",
      audience: "https://vmcp.example.com/mcp",
      resource: "https://vmcp.example.com/mcp",
      scopes: ["openid", "offline_access"],
    },
  },
};

type Condition = { type: string; status: string; reason: string; message: string };
const conditionsOf = (plan: ReturnType<typeof planReconcile>) =>
  (plan.status?.conditions ?? []) as Condition[];
const planOf = (object: VirtualMCPServer, version = RUNTIME.version) => {
  const image = `ghcr.io/stacklok/toolhive/vmcp:${version}`;
  return planReconcile(snapshot({ vmcp: object }), { image, runtime: runtimeProfile(image), now: NOW });
};

describe("the authorization server's file", () => {
  const embedded = embeddedAuthServer(withServer(authServer()), RENDERED);

  it("is authserver.RunConfig: snake_case keys, the audience and scopes of incoming OIDC, key and HMAC files", () => {
    expect(embedded?.runConfig).toMatchObject({
      schema_version: "v0.1.0",
      issuer: ISSUER,
      allowed_audiences: ["https://vmcp.example.com/mcp"],
      scopes_supported: ["openid", "offline_access"],
      signing_key_config: {
        key_dir: "/etc/toolhive/authserver/keys",
        signing_key_file: "key-0.pem",
        fallback_key_files: ["key-1.pem"],
      },
      hmac_secret_files: ["/etc/toolhive/authserver/hmac/hmac-0"],
      token_lifespans: { access_token_lifespan: "30m" },
    });
  });

  it("names each upstream's client secret by env, defaults the redirect URI from the resource, mounts its CA bundle", () => {
    const [gh, corp] = (embedded?.runConfig.upstreams ?? []) as Record<string, Record<string, unknown>>[];
    expect(gh).toEqual({
      name: "github",
      type: "oauth2",
      oauth2_config: {
        authorization_endpoint: "https://github.com/login/oauth/authorize",
        token_endpoint: "https://github.com/login/oauth/access_token",
        client_id: "gh-client",
        client_secret_env_var: "TOOLHIVE_UPSTREAM_CLIENT_SECRET_GITHUB",
        redirect_uri: "https://vmcp.example.com/mcp/oauth/callback",
        scopes: ["repo"],
        userinfo: { endpoint_url: "https://api.github.com/user", field_mapping: { subject_fields: ["id"] } },
      },
    });
    expect(corp?.oidc_config).toEqual({
      issuer_url: "https://corp.okta.com",
      client_id: "okta-client",
      redirect_uri: "https://vmcp.example.com/cb",
      ca_file_path: "/etc/toolhive/authserver/upstream-ca/1/bundle.pem",
    });
  });

  it("gives the pod secrets by name only: secretKeyRef env, owner-only Secret volumes, the CA ConfigMap", () => {
    expect(embedded?.pod).toEqual({
      secretEnv: [
        { name: "TOOLHIVE_UPSTREAM_CLIENT_SECRET_GITHUB", secret: "github-oauth", key: "client-secret" },
      ],
      mounts: [
        {
          volume: "authserver-upstream-ca-1",
          configMap: "corp-ca",
          mountPath: "/etc/toolhive/authserver/upstream-ca/1",
          key: "bundle.pem",
        },
      ],
      secretVolumes: [
        {
          volume: "authserver-signing-keys",
          mountPath: "/etc/toolhive/authserver/keys",
          files: [
            { secret: "keys", key: "current.pem", path: "key-0.pem" },
            { secret: "keys", key: "previous.pem", path: "key-1.pem" },
          ],
        },
        {
          volume: "authserver-hmac-secrets",
          mountPath: "/etc/toolhive/authserver/hmac",
          files: [{ secret: "hmac", key: "secret", path: "hmac-0" }],
        },
      ],
    });
  });

  it("Redis storage: ACL credentials as upstream's env names, a key prefix of its own, sentinels by Service", () => {
    const redis = embeddedAuthServer(
      withServer(
        authServer({
          storage: {
            type: "redis",
            redis: {
              sentinelConfig: { masterName: "mymaster", sentinelService: { name: "redis-sentinel" } },
              aclUserConfig: { passwordSecretRef: { name: "redis", key: "password" } },
              sentinelTls: { caCertSecretRef: { name: "redis-ca", key: "ca.crt" } },
            },
          },
        }),
      ),
      RENDERED,
    );
    expect(redis?.runConfig.storage).toEqual({
      type: "redis",
      redis_config: {
        auth_type: "aclUser",
        acl_user_config: { username_env_var: "", password_env_var: "TOOLHIVE_AUTH_SERVER_REDIS_PASSWORD" },
        key_prefix: "thv:auth:{tools:team}:",
        sentinel_config: {
          master_name: "mymaster",
          sentinel_addrs: ["redis-sentinel.tools.svc.cluster.local:26379"],
        },
        sentinel_tls: { ca_cert_file: "/etc/toolhive/authserver/redis-tls/sentinel-ca.crt" },
      },
    });
    expect(redis?.pod.secretEnv).toContainEqual({
      name: "TOOLHIVE_AUTH_SERVER_REDIS_PASSWORD",
      secret: "redis",
      key: "password",
    });
  });

  it("goes into the ConfigMap beside config.yaml, and a change to it alone rolls the pod", () => {
    const children = (config: Record<string, unknown>) => {
      const object = withServer(config);
      const server = embeddedAuthServer(object, RENDERED);
      return desiredChildren({
        vmcp: object,
        mode: "dynamic",
        image: "example/vmcp:1",
        pod: mergePodAdditions(server?.pod ?? {}),
        runtimeConfig: { name: "team", ...RENDERED },
        authServerConfig: server?.runConfig,
      });
    };
    const before = children(authServer());
    const after = children(authServer({ tokenLifespans: { accessTokenLifespan: "5m" } }));
    const configMap = before.find((c) => c.kind === "ConfigMap") as unknown as {
      data: Record<string, string>;
    };
    expect(Object.keys(configMap.data).sort()).toEqual(["authserver-config.yaml", "config.yaml"]);
    expect(parse(configMap.data[AUTH_SERVER_FILE] ?? "").issuer).toBe(ISSUER);
    const checksum = (c: ReturnType<typeof children>) =>
      c.find((x) => x.kind === "ConfigMap")?.metadata.annotations?.[CONTENT_CHECKSUM];
    expect(checksum(after)).not.toBe(checksum(before));
    const deployment = before.find((c) => c.kind === "Deployment") as unknown as {
      spec: { template: { spec: { volumes: unknown[]; containers: { volumeMounts: unknown[] }[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "authserver-hmac-secrets",
      projected: {
        defaultMode: 0o400,
        sources: [{ secret: { name: "hmac", items: [{ key: "secret", path: "hmac-0" }] } }],
      },
    });
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: "authserver-signing-keys",
      mountPath: "/etc/toolhive/authserver/keys",
      readOnly: true,
    });
  });
});

describe("the authorization server against incoming auth (upstream's ValidateAuthServerIntegration)", () => {
  const run = (rendered: Record<string, unknown>) =>
    integrationProblems(rendered, embeddedAuthServer(withServer(authServer()), rendered)?.runConfig ?? {});

  it("holds when issuer and audience agree", () => {
    expect(run(RENDERED)).toEqual([]);
  });

  it("needs the resource URL that becomes its allowed audience", () => {
    const oidc = { ...RENDERED.incomingAuth.oidc, resource: undefined };
    expect(run({ incomingAuth: { type: "oidc", oidc } })).toEqual([
      expect.objectContaining({ path: "spec.incomingAuth.oidcConfigRef.resourceUrl" }),
    ]);
  });

  it("needs that resource to be an audience the runtime takes: an absolute http(s) URI", () => {
    const oidc = { ...RENDERED.incomingAuth.oidc, resource: "vmcp", audience: undefined };
    expect(run({ incomingAuth: { type: "oidc", oidc } }).map((e) => e.message)).toEqual([
      '"vmcp" becomes the authorization server\'s allowed audience, which must be an absolute http(s) URI with a host and no fragment',
    ]);
  });

  it("refuses baseline client scopes the server does not support", () => {
    const rendered = RENDERED;
    const problems = integrationProblems(
      rendered,
      embeddedAuthServer(withServer(authServer({ baselineClientScopes: ["openid", "repo"] })), rendered)
        ?.runConfig ?? {},
    );
    expect(problems.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'spec.authServerConfig.baselineClientScopes: contains "repo", which is not among the scopes the server supports (openid, offline_access: spec.incomingAuth.oidcConfigRef.scopes, else the runtime\'s defaults)',
    ]);
  });

  it("refuses an issuer other than the one incoming OIDC trusts, and an audience it never issues", () => {
    const oidc = { ...RENDERED.incomingAuth.oidc, issuer: "https://other", audience: "api" };
    expect(run({ incomingAuth: { type: "oidc", oidc } }).map((e) => e.message)).toEqual([
      'auth server issuer mismatch: auth server issuer "https://auth.example.com" != incomingAuth.oidc.issuer "https://other" (the MCPOIDCConfig\'s issuer)',
      'incomingAuth.oidc.audience "api" not in auth server\'s allowed audiences [https://vmcp.example.com/mcp]',
    ]);
  });
});

describe("a VirtualMCPServer with spec.authServerConfig, reconciled and admitted", () => {
  const review = (object: unknown) =>
    AdmissionReview.parse(admissionReview("VirtualMCPServer", object)).request;
  const lookups = { group: "found" as const, authConfigs: new Map() };

  it("without OIDC incoming auth: Failed, no child, AuthServerConfigValidated=False with upstream's reason", () => {
    const plan = planOf(withServer(authServer()));
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("invalid");
    const validated = conditionsOf(plan).find((c) => c.type === "AuthServerConfigValidated");
    expect(validated).toMatchObject({ status: "False", reason: "AuthServerConfigInvalid" });
    expect(validated?.message).toBe(
      "spec.incomingAuth.type: must be oidc with spec.authServerConfig: the embedded authorization server requires OIDC incoming auth to validate the tokens it issues",
    );
    expect(decideValidation(review(withServer(authServer())), lookups).message).toBe(validated?.message);
  });

  it.each([
    [{ issuer: "" }, "spec.authServerConfig.issuer: is required"],
    [
      { issuer: "http://auth.tools.svc" },
      'spec.authServerConfig.issuer: "http://auth.tools.svc" uses http:// with a non-localhost host; set spec.authServerConfig.insecureAllowHTTP: true',
    ],
    [
      {
        upstreamProviders: [
          { ...github, oauth2Config: { ...github.oauth2Config, dcrConfig: { discoveryUrl: "x" } } },
        ],
      },
      "spec.authServerConfig.upstreamProviders[0].oauth2Config: exactly one of clientId or dcrConfig must be set",
    ],
    [
      {
        upstreamProviders: [
          { ...okta, oidcConfig: { ...okta.oidcConfig, additionalAuthorizationParams: { scope: "x" } } },
        ],
      },
      'spec.authServerConfig.upstreamProviders[0].oidcConfig.additionalAuthorizationParams: reserved parameter "scope" is managed by the framework',
    ],
    [
      { upstreamProviders: [] },
      "spec.authServerConfig.upstreamProviders: at least one upstream provider is required",
    ],
    [
      { allowConfidentialClientRegistration: true, issuer: "http://localhost:8080" },
      "spec.authServerConfig.allowConfidentialClientRegistration: cannot be combined with a plain-HTTP loopback issuer unless insecureAllowConfidentialOverLoopbackHTTP is set",
    ],
    [
      { tokenLifespans: { accessTokenLifespan: "48h" } },
      "spec.authServerConfig.tokenLifespans.accessTokenLifespan: must be between 1m and 24h",
    ],
    [
      { tokenLifespans: { refreshTokenLifespan: "7d" } },
      'spec.authServerConfig.tokenLifespans.refreshTokenLifespan: "7d" is not a Go duration',
    ],
    [
      { forceConfidentialRedirectUris: ["https://app.example.com/cb"] },
      "spec.authServerConfig.forceConfidentialRedirectUris: requires allowConfidentialClientRegistration: true",
    ],
    [
      { delegateClients: [{ clientId: "c" }] },
      "spec.authServerConfig.delegateClients: vmcp-lambda does not render it yet",
    ],
    [
      { storage: { type: "redis", redis: { addr: "redis:6379" } } },
      "spec.authServerConfig.storage.redis.aclUserConfig.passwordSecretRef: is required",
    ],
  ])("%j is refused naming the field, by admission and reconcile alike", (over, message) => {
    const object = withServer(authServer(over));
    const plan = planOf(object);
    const validated = conditionsOf(plan).find((c) => c.type === "AuthServerConfigValidated");
    expect(validated?.message).toContain(message);
    expect(decideValidation(review(object), lookups).message).toContain(message);
  });

  it("v0.44.0 has no key for allowPrivateKeyJWTRegistration or an upstream CA bundle: refused there, not on v0.47.0", () => {
    const object = withServer(authServer({ allowPrivateKeyJWTRegistration: true }));
    const message = (version: string) =>
      conditionsOf(planOf(object, version)).find((c) => c.type === "AuthServerConfigValidated")?.message ??
      "";
    expect(message("v0.44.0")).toContain(
      "spec.authServerConfig.allowPrivateKeyJWTRegistration: the vMCP runtime v0.44.0 does not read it (v0.47.0 does)",
    );
    expect(message("v0.44.0")).toContain("spec.authServerConfig.upstreamProviders[1].oidcConfig.caBundleRef");
    expect(message("v0.47.0")).not.toContain("does not read it");
  });

  it("says which OAuth2 upstreams get a synthesized identity (IdentitySynthesized, upstream's advisory)", () => {
    const bare = { ...github, name: "bare", oauth2Config: { ...github.oauth2Config, userInfo: undefined } };
    const advisory = (providers: unknown[]) =>
      conditionsOf(planOf(withServer(authServer({ upstreamProviders: providers })))).find(
        (c) => c.type === "IdentitySynthesized",
      );
    expect(advisory([github, bare, okta])).toMatchObject({
      status: "True",
      reason: "OAuth2UpstreamWithoutUserInfo",
      message: expect.stringMatching(/^OAuth2 upstream\(s\) \[bare\] have no userInfo configured/),
    });
    expect(advisory([github, okta])).toMatchObject({ status: "False", reason: "AllUpstreamsHaveUserInfo" });
  });

  it("no AuthServerConfigValidated without spec.authServerConfig", () => {
    expect(conditionsOf(planOf(vmcp())).map((c) => c.type)).not.toContain("AuthServerConfigValidated");
  });

  it("authServerUpstreamFilter is refused, naming the version that reads it", () => {
    const decision = decideValidation(review(vmcp({ authServerUpstreamFilter: { x: 1 } } as never)), lookups);
    expect(decision.message).toBe(
      "spec.authServerUpstreamFilter: the vMCP runtime versions vmcp-lambda deploys (v0.44.0, v0.47.0) have no upstream filter; ToolHive's runtime reads it from v0.63.0 on; remove it",
    );
  });
});

describe("the upstream Cedar reads claims from (authz.primaryUpstreamProvider)", () => {
  const policies = { type: "inline", inline: { policies: ["permit(principal, action, resource);"] } };
  const rendered = { incomingAuth: { ...RENDERED.incomingAuth, authz: { type: "cedar", policies: ["p"] } } };
  const authzOf = (tree: Record<string, unknown>) =>
    (tree.incomingAuth as { authz: Record<string, unknown> }).authz;

  it("is the first upstream unless the spec names one, as upstream resolves it", () => {
    expect(authzOf(withPrimaryUpstream(withServer(authServer()), rendered)).primaryUpstreamProvider).toBe(
      "github",
    );
    const named = withServer(authServer({ primaryUpstreamProvider: "okta-idp" }));
    expect(authzOf(withPrimaryUpstream(named, rendered)).primaryUpstreamProvider).toBe("okta-idp");
    expect(withPrimaryUpstream(vmcp(), rendered)).toBe(rendered);
  });

  it("named without an authorization server: Failed, with upstream's reason on AuthServerConfigValidated", () => {
    const object = vmcp({
      incomingAuth: {
        type: "anonymous",
        authzConfig: { ...policies, inline: { ...policies.inline, primaryUpstreamProvider: "github" } },
      },
    } as Partial<VirtualMCPServer["spec"]>);
    const plan = planOf(object);
    expect(plan.apply).toEqual([]);
    const validated = conditionsOf(plan).find((c) => c.type === "AuthServerConfigValidated");
    expect(validated).toMatchObject({ status: "False", reason: "AuthzPrimaryProviderRequiresAuthServer" });
    expect(conditionsOf(plan).find((c) => c.type === "Valid")?.message).toContain(
      'spec.incomingAuth.authzConfig.inline.primaryUpstreamProvider: primaryUpstreamProvider="github" is set but spec.authServerConfig is not configured',
    );
  });

  it("naming an upstream the authorization server lacks is refused at admission", () => {
    const object = withServer(authServer({ primaryUpstreamProvider: "gitlab" }), {
      incomingAuth: { type: "anonymous", authzConfig: policies },
    } as Partial<VirtualMCPServer["spec"]>);
    const request = AdmissionReview.parse(admissionReview("VirtualMCPServer", object)).request;
    expect(decideValidation(request, { group: "found", authConfigs: new Map() }).message).toContain(
      'spec.authServerConfig.primaryUpstreamProvider: primaryUpstreamProvider="gitlab" does not match any upstream declared on spec.authServerConfig.upstreamProviders',
    );
  });
});

describe("a VirtualMCPServer whose clients sign in through its embedded authorization server, reconciled", () => {
  const issuer = (url: string) =>
    mcpOIDCConfig("own", { spec: { type: "inline", inline: { issuer: url, clientId: "vmcp" } } });
  const inject = mcpExternalAuthConfig("gh", {
    spec: { type: "upstreamInject", upstreamInject: { providerName: "github" } },
  });
  const spec = {
    incomingAuth: {
      type: "oidc",
      oidcConfigRef: {
        name: "own",
        audience: "https://vmcp.example.com/mcp",
        resourceUrl: "https://vmcp.example.com/mcp",
      },
      authzConfig: { type: "inline", inline: { policies: ["permit(principal, action, resource);"] } },
    },
    outgoingAuth: { default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "gh" } } },
    authServerConfig: authServer(),
  } as unknown as Partial<VirtualMCPServer["spec"]>;
  const planWith = (oidcIssuer: string) =>
    planReconcile(snapshot({ vmcp: vmcp(spec), oidcConfigs: [issuer(oidcIssuer)], authConfigs: [inject] }), {
      image: "example/vmcp:1",
      runtime: RUNTIME,
      now: NOW,
    });

  it("writes both files, the upstream_inject strategy, the primary upstream, and AuthServerConfigValidated=True", () => {
    const plan = planWith(ISSUER);
    const configMap = plan.apply.find((c) => c.kind === "ConfigMap") as unknown as {
      data: Record<string, string>;
    };
    const config = parse(configMap.data["config.yaml"] ?? "");
    expect(config.outgoingAuth.default).toEqual({
      type: "upstream_inject",
      upstreamInject: { providerName: "github" },
    });
    expect(config.incomingAuth.authz.primaryUpstreamProvider).toBe("github");
    const file = parse(configMap.data[AUTH_SERVER_FILE] ?? "");
    expect(file).toMatchObject({ issuer: ISSUER, allowed_audiences: ["https://vmcp.example.com/mcp"] });
    expect(conditionsOf(plan).find((c) => c.type === "AuthServerConfigValidated")).toMatchObject({
      status: "True",
      reason: "AuthServerConfigValid",
    });
    const env = JSON.stringify(plan.apply.find((c) => c.kind === "Deployment"));
    expect(env).toContain('"name":"TOOLHIVE_UPSTREAM_CLIENT_SECRET_GITHUB"');
    expect(env).toContain('"name":"authserver-signing-keys"');
  });

  it("an MCPOIDCConfig trusting another issuer: Failed, nothing deployed, the mismatch on AuthServerConfigValidated", () => {
    const plan = planWith("https://elsewhere.example.com");
    expect(plan.apply).toEqual([]);
    expect(plan.outcome).toBe("invalid");
    expect(conditionsOf(plan).find((c) => c.type === "AuthServerConfigValidated")).toMatchObject({
      status: "False",
      reason: "AuthServerConfigInvalid",
      message: expect.stringContaining(
        'spec.authServerConfig.issuer: auth server issuer mismatch: auth server issuer "https://auth.example.com" != incomingAuth.oidc.issuer "https://elsewhere.example.com"',
      ),
    });
  });
});
