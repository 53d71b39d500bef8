// VirtualMCPServers within the CRD schema (its enums, its CEL rules, its defaults), generated with
// fast-check, each with a group of members and every kind of MCPExternalAuthConfig around it: the inputs of
// the gate in generated-specs.test.ts.

import fc from "fast-check";
import { MCPAuthzConfig } from "../../functions/core/kinds/authz-config.ts";
import { ConfigMap } from "../../functions/core/kinds/kubernetes.ts";
import { MCPOIDCConfig } from "../../functions/core/kinds/oidc-config.ts";
import { ExternalAuthConfig, VirtualMCPServer, Workload } from "../../functions/core/kinds/toolhive.ts";
import type { Snapshot } from "../../functions/core/reconcile/plan.ts";
import { noRelatedObjects } from "../../functions/core/reconcile/related-kinds.ts";

const NS = "gen";
const GROUP = "g";
const secretRef = { name: "creds", key: "value" };
const OIDC = "oidc";
const CEDAR = {
  policies: ['permit(principal in THVGroup::"admins", action, resource);'],
  entities_json: '[{"uid": {"type": "THVGroup", "id": "admins"}, "attrs": {}, "parents": []}]',
};

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly values the runtime takes, now and then one it refuses: each refusal source stays rare enough
 * that most specs combine into a config the runtime must judge. */
const mostly = <T>(good: readonly T[], bad: readonly T[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...good), weight: 8 },
    { arbitrary: fc.constantFrom(...bad), weight: 1 },
  );
const duration = mostly(["500ms", "1s", "10s", "30s", "1m", "1m30s", "2h"], ["0s"]);
/** An object without the keys whose value came out undefined (what a YAML author leaves out). */
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const authConfigs = fc.constantFrom(
  {
    name: "te",
    type: "tokenExchange",
    tokenExchange: {
      tokenUrl: "https://idp/token",
      audience: "a",
      clientId: "c",
      clientSecretRef: secretRef,
      subjectTokenType: "access_token",
      scopes: ["r"],
    },
  },
  {
    name: "te-public",
    type: "tokenExchange",
    tokenExchange: { tokenUrl: "https://idp/token", audience: "a" },
  },
  {
    name: "hi",
    type: "headerInjection",
    headerInjection: { headerName: "X-API-Key", valueSecretRef: secretRef },
  },
  { name: "anon", type: "unauthenticated" },
  {
    name: "sts",
    type: "awsSts",
    awsSts: {
      region: "eu-west-1",
      service: "bedrock",
      roleMappings: [{ claim: "g", roleArn: "arn:aws:iam::1:role/r", priority: 1 }],
    },
  },
  {
    name: "xaa",
    type: "xaa",
    xaa: {
      idpTokenUrl: "https://idp/t",
      targetTokenUrl: "https://as/t",
      targetAudience: "api",
      idpClientSecretRef: secretRef,
      targetClientSecretRef: secretRef,
      subjectTokenType: "id_token",
    },
  },
  { name: "inject", type: "upstreamInject", upstreamInject: { providerName: "github" } },
  { name: "obo", type: "obo", obo: { tokenUrl: "https://idp/t" } },
  { name: "bearer", type: "bearerToken", bearerToken: { tokenSecretRef: secretRef } },
);
export const AUTH_NAMES = ["te", "te-public", "hi", "anon", "sts", "xaa", "inject", "obo", "bearer"];

// Mostly what works, sometimes what cannot: the gate must see both.
const backendAuth = fc.oneof(
  { arbitrary: fc.constant({ type: "discovered" }), weight: 3 },
  {
    arbitrary: fc
      .constantFrom("te", "te-public", "hi", "anon", "sts", "xaa")
      .map((name) => ({ type: "externalAuthConfigRef", externalAuthConfigRef: { name } })),
    weight: 3,
  },
  {
    arbitrary: fc
      .constantFrom(...AUTH_NAMES)
      .map((name) => ({ type: "externalAuthConfigRef", externalAuthConfigRef: { name } })),
    weight: 1,
  },
);

const memberName = fc.constantFrom("alpha", "beta", "gamma");

export const member = fc.oneof(
  fc.record({
    kind: fc.constantFrom("MCPServer", "MCPRemoteProxy"),
    name: memberName,
    transport: fc.constantFrom("stdio", "sse", "streamable-http"),
    proxyMode: maybe(fc.constantFrom("sse", "streamable-http")),
    auth: maybe(fc.constantFrom(...AUTH_NAMES)),
    phase: fc.constantFrom("Running", "Pending", "Failed"),
  }),
  // A remote server the group lists directly, with what its CRD allows: a CA bundle, forwarded headers.
  fc.record({
    kind: fc.constant("MCPServerEntry"),
    name: memberName,
    transport: fc.constantFrom("sse", "streamable-http"),
    auth: maybe(fc.constantFrom(...AUTH_NAMES)),
    phase: fc.constantFrom("Valid", "Pending", "Failed"),
    caKey: maybe(fc.constantFrom("ca.crt", "bundle.pem")),
    headers: maybe(
      fc.record({
        plaintext: fc.dictionary(fc.constantFrom("X-Tenant", "X-Trace"), fc.string({ maxLength: 8 })),
        fromSecret: fc.subarray(["Authorization", "X-Api-Key"]),
      }),
    ),
  }),
);

const aggregation = fc
  .record({
    conflictResolution: maybe(fc.constantFrom("prefix", "priority", "manual")),
    prefixFormat: maybe(mostly(["{workload}_", "{workload}.", "{workload}-"], [""])),
    priorityOrder: maybe(fc.subarray(["alpha", "beta", "gamma"])),
    tools: maybe(
      fc.uniqueArray(
        fc.record({
          workload: fc.constantFrom("alpha", "beta", "gamma"),
          filter: maybe(fc.subarray(["echo", "add", "fetch"])),
          overrides: maybe(
            mostly<Record<string, unknown>>(
              [
                { echo: { name: "say" } },
                { add: { description: "Adds" } },
                { echo: { name: "say", annotations: { title: "Say" } } },
              ],
              [{ add: { annotations: { title: "Add" } } }],
            ),
          ),
          unknownToolKey: maybe(fc.constant(true)),
        }),
        { maxLength: 3, selector: (t) => t.workload },
      ),
    ),
    defaultToolVisibility: maybe(fc.constantFrom("allow", "deny")),
  })
  .map(({ conflictResolution, prefixFormat, priorityOrder, tools, ...rest }) =>
    defined({
      ...rest,
      conflictResolution,
      conflictResolutionConfig:
        prefixFormat === undefined && priorityOrder === undefined
          ? undefined
          : defined({ prefixFormat, priorityOrder }),
      tools: tools?.map((t) =>
        defined({ ...t, unknownToolKey: undefined, ...(t.unknownToolKey ? { hidden: true } : {}) }),
      ),
    }),
  );

const operational = fc
  .record({
    logLevel: maybe(fc.constant("debug")),
    timeout: maybe(duration),
    perWorkload: maybe(fc.dictionary(fc.constantFrom("alpha", "beta"), duration, { maxKeys: 2 })),
    interval: maybe(mostly(["15s", "30s", "1m", "90s"], ["0s", "5s"])),
    checkTimeout: maybe(fc.constantFrom("1s", "2s", "5s", "1m")),
    partialFailureMode: maybe(fc.constantFrom("fail", "best_effort")),
    breaker: maybe(
      fc.record({
        enabled: fc.boolean(),
        failureThreshold: fc.integer({ min: 1, max: 9 }),
        timeout: duration,
      }),
    ),
  })
  .map((o) =>
    defined({
      logLevel: o.logLevel,
      timeouts:
        o.timeout || o.perWorkload
          ? defined({ default: o.timeout ?? "30s", perWorkload: o.perWorkload })
          : undefined,
      // As the API server defaults it (the CRD's defaults apply once failureHandling is written).
      failureHandling:
        o.interval || o.partialFailureMode || o.breaker
          ? defined({
              healthCheckInterval: o.interval ?? "30s",
              healthCheckTimeout: o.checkTimeout ?? "10s",
              partialFailureMode: o.partialFailureMode ?? "fail",
              circuitBreaker: o.breaker,
            })
          : undefined,
    }),
  );

const config = fc
  .record({
    aggregation: maybe(aggregation),
    operational: maybe(operational),
    telemetry: maybe(
      fc.constantFrom(
        { endpoint: "otel:4317", tracingEnabled: true },
        { prometheusPort: 9464, metricsEnabled: true },
      ),
    ),
    rateLimiting: maybe(
      fc.constantFrom(
        { shared: { maxTokens: 10, refillPeriod: "1m" } },
        { tools: [{ name: "echo", shared: { maxTokens: 1, refillPeriod: "30s" } }] },
      ),
    ),
    compositeTools: maybe(
      mostly<Record<string, unknown>[]>(
        [
          [
            {
              name: "twice",
              description: "Echo twice",
              steps: [
                { id: "one", tool: "alpha_echo" },
                { id: "two", tool: "alpha_echo", dependsOn: ["one"] },
              ],
            },
          ],
        ],
        [[{ name: "nodesc", steps: [{ id: "one", tool: "alpha_echo" }] }]],
      ),
    ),
    audit: maybe(fc.constant({ enabled: true, component: "vmcp" })),
    unknown: maybe(fc.constantFrom({ futureFeature: { on: true } }, { operational: { someNewKnob: 3 } })),
  })
  .map(({ unknown, ...known }) => {
    const out = defined(known) as Record<string, unknown>;
    if (unknown && "operational" in unknown)
      out.operational = { ...((out.operational as object) ?? {}), ...(unknown.operational as object) };
    else if (unknown) Object.assign(out, unknown);
    return out;
  });

const GITHUB = {
  name: "github",
  type: "oauth2",
  oauth2Config: {
    authorizationEndpoint: "https://github.com/login/oauth/authorize",
    tokenEndpoint: "https://github.com/login/oauth/access_token",
    clientId: "gh",
    clientSecretRef: secretRef,
    userInfo: { endpointUrl: "https://api.github.com/user" },
  },
};
const RESOURCE_OIDC = {
  type: "oidc",
  oidcConfigRef: {
    name: OIDC,
    audience: "https://vmcp.example.com/mcp",
    resourceUrl: "https://vmcp.example.com/mcp",
    scopes: ["openid", "offline_access"],
  },
};

/**
 * An embedded authorization server: GitHub and/or GitLab upstreams, its issuer mostly the one the generated
 * MCPOIDCConfig may trust, keys and HMAC secrets or none (the runtime then makes them up), now and then a
 * setting the runtime refuses. OAuth2 upstreams only: the runtime discovers an OIDC upstream's endpoints
 * over the network when it starts, which the judge (`vmcp serve`, no network) cannot give it.
 */
const authServer = fc
  .record({
    issuer: mostly(
      ["https://idp.example.com", "https://idp.example.com/realms/a"],
      ["http://idp.example.com"],
    ),
    signingKeySecretRefs: maybe(
      fc.constantFrom(
        [{ name: "as", key: "k1.pem" }],
        [
          { name: "as", key: "k1.pem" },
          { name: "as", key: "k0.pem" },
        ],
      ),
    ),
    hmacSecretRefs: maybe(fc.constant([{ name: "as", key: "hmac" }])),
    tokenLifespans: maybe(
      mostly(
        [{ accessTokenLifespan: "30m" }, { refreshTokenLifespan: "72h" }],
        [{ accessTokenLifespan: "48h" }],
      ),
    ),
    upstreamProviders: fc.constantFrom(
      [GITHUB],
      [
        GITHUB,
        {
          name: "gitlab",
          type: "oauth2",
          oauth2Config: {
            authorizationEndpoint: "https://gitlab.com/oauth/authorize",
            tokenEndpoint: "https://gitlab.com/oauth/token",
            clientId: "gl",
            identityFromToken: { subjectPath: "sub" },
          },
        },
      ],
      [{ ...GITHUB, oauth2Config: { ...GITHUB.oauth2Config, userInfo: undefined } }],
    ),
    allowConfidentialClientRegistration: maybe(fc.boolean()),
  })
  .map(defined);

export const spec = fc
  .record({
    authServer: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: authServer, weight: 1 },
    ),
    incoming: mostly(
      ["anonymous", "authz-inline", "oidc", "authz-configmap", "authz-ref"],
      ["authz-empty", "authz-ref-missing"],
    ),
    source: maybe(fc.constantFrom("discovered", "inline")),
    defaultAuth: maybe(backendAuth),
    backendsAuth: maybe(fc.dictionary(fc.constantFrom("alpha", "beta"), backendAuth, { maxKeys: 2 })),
    passthroughHeaders: maybe(
      fc.oneof(
        { arbitrary: fc.subarray(["X-Tenant", "X-Request-Id"], { minLength: 1 }), weight: 6 },
        { arbitrary: fc.subarray(["X-Tenant", "Authorization", "bad header"], { minLength: 1 }), weight: 1 },
      ),
    ),
    sessionStorage: maybe(
      fc.constantFrom(
        { provider: "memory" },
        { provider: "redis", address: "redis:6379", db: 0, keyPrefix: "vmcp", passwordRef: secretRef },
      ),
    ),
    config: maybe(config),
  })
  .map((s) => {
    const incoming = {
      anonymous: { type: "anonymous" },
      oidc: { type: "oidc", oidcConfigRef: { name: OIDC, audience: "vmcp", scopes: ["openid"] } },
      "authz-inline": {
        type: "anonymous",
        authzConfig: { type: "inline", inline: { policies: ["permit(principal, action, resource);"] } },
      },
      "authz-empty": { type: "anonymous", authzConfig: { type: "inline", inline: { policies: [] } } },
      "authz-configmap": {
        type: "anonymous",
        authzConfig: { type: "configMap", configMap: { name: "authz" } },
      },
      "authz-ref": { type: "anonymous", authzConfigRef: { name: "authz" } },
      "authz-ref-missing": { type: "anonymous", authzConfigRef: { name: "gone" } },
    }[s.incoming];
    const outgoing =
      s.source || s.defaultAuth || s.backendsAuth
        ? defined({ source: s.source ?? "discovered", default: s.defaultAuth, backends: s.backendsAuth })
        : undefined;
    // The CRD's own rule: rate limiting needs Redis session storage.
    const cfg =
      s.config?.rateLimiting && s.sessionStorage?.provider !== "redis"
        ? { ...s.config, rateLimiting: undefined }
        : s.config;
    // The server issues the tokens incoming OIDC validates: mostly an audience that is its resource URL.
    const signedIn = s.authServer && s.incoming !== "authz-ref-missing" ? RESOURCE_OIDC : incoming;
    return defined({
      groupRef: { name: GROUP },
      incomingAuth: signedIn,
      authServerConfig: s.authServer,
      outgoingAuth: outgoing,
      passthroughHeaders: s.passthroughHeaders,
      sessionStorage: s.sessionStorage,
      config: cfg && defined(cfg),
    });
  });

/** The MCPOIDCConfig the generated references name: an inline provider of any shape, or the cluster's. */
export const oidcConfig = fc.oneof(
  fc.record({
    type: fc.constant("inline"),
    inline: fc
      .record({
        issuer: mostly(
          ["https://idp.example.com", "https://idp.example.com/realms/a"],
          ["http://idp.example.com"],
        ),
        clientId: maybe(fc.constant("vmcp")),
        clientSecretRef: maybe(fc.constant(secretRef)),
        caBundleRef: maybe(
          fc.constantFrom(
            { configMapRef: { name: "idp-ca" } },
            { configMapRef: { name: "idp-ca", key: "ca.pem" } },
          ),
        ),
        jwksUrl: maybe(fc.constant("https://idp.example.com/jwks")),
        introspectionUrl: maybe(fc.constant("https://idp.example.com/introspect")),
        jwksAllowPrivateIP: maybe(fc.boolean()),
        protectedResourceAllowPrivateIP: maybe(fc.boolean()),
        insecureAllowHTTP: maybe(fc.boolean()),
      })
      .map(defined),
  }),
  fc.record({
    type: fc.constant("kubernetesServiceAccount"),
    kubernetesServiceAccount: fc.record({ useClusterAuth: maybe(fc.boolean()) }).map(defined),
  }),
);

export type Member = {
  kind: string;
  name: string;
  transport: string;
  proxyMode?: string;
  auth?: string;
  phase: string;
  caKey?: string;
  headers?: { plaintext: Record<string, string>; fromSecret: string[] };
};

/** An entry's spec and status as ToolHive's CRD and entry controller would have them. */
const entryOf = (m: Member) => ({
  spec: defined({
    groupRef: { name: GROUP },
    remoteUrl: `https://${m.name}.example.com/mcp`,
    transport: m.transport,
    externalAuthConfigRef: m.auth ? { name: m.auth } : undefined,
    caBundleRef: m.caKey ? { configMapRef: { name: `${m.name}-ca`, key: m.caKey } } : undefined,
    headerForward: m.headers && {
      addPlaintextHeaders: m.headers.plaintext,
      addHeadersFromSecret: m.headers.fromSecret.map((headerName) => ({
        headerName,
        valueSecretRef: { name: `${m.name}-headers`, key: headerName.toLowerCase() },
      })),
    },
  }),
  status: { phase: m.phase },
});

/** An MCPServer's or MCPRemoteProxy's spec and status as ToolHive's controllers would have them. */
const proxiedOf = (m: Member) => ({
  spec: defined({
    groupRef: { name: GROUP },
    transport: m.transport,
    proxyMode: m.proxyMode,
    externalAuthConfigRef: m.auth ? { name: m.auth } : undefined,
  }),
  status: {
    phase: m.phase,
    url: `http://${m.name}.${NS}.svc.cluster.local:8080/${m.transport === "sse" ? `sse#${m.name}` : "mcp"}`,
  },
});

export const snapshotOf = (
  vmcpSpec: Record<string, unknown>,
  members: Member[],
  configs: { name: string; type: string }[],
  oidc?: Record<string, unknown>,
): Snapshot => ({
  ...noRelatedObjects(),
  vmcp: VirtualMCPServer.parse({
    metadata: { name: "gen", namespace: NS, uid: "u", generation: 1 },
    spec: vmcpSpec,
  }),
  group: { metadata: { name: GROUP, namespace: NS } },
  workloads: members.map((m) =>
    Workload.parse({
      kind: m.kind,
      metadata: { name: m.name, namespace: NS },
      ...(m.kind === "MCPServerEntry" ? entryOf(m) : proxiedOf(m)),
    }),
  ),
  authConfigs: configs.map(({ name, ...rest }) =>
    ExternalAuthConfig.parse({ metadata: { name, namespace: NS }, spec: rest }),
  ),
  oidcConfigs: oidc ? [MCPOIDCConfig.parse({ metadata: { name: OIDC, namespace: NS }, spec: oidc })] : [],
  // What "authz-ref" and "authz-configmap" name: Cedar policies with the claim mapping, by reference.
  authzConfigs: [
    MCPAuthzConfig.parse({
      metadata: { name: "authz", namespace: NS },
      spec: { type: "cedarv1", config: { ...CEDAR, group_claim_name: "groups", role_claim_name: "roles" } },
    }),
  ],
  authzConfigMaps: [
    ConfigMap.parse({
      metadata: { name: "authz", namespace: NS },
      data: {
        "authz.json": JSON.stringify({
          version: "1.0",
          type: "cedarv1",
          cedar: { ...CEDAR, group_entity_type: "Team" },
        }),
      },
    }),
  ],
  children: [],
});
