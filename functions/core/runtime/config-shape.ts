// The keys the vMCP runtime's config.yaml may hold, per runtime version. The runtime decodes strictly
// (`KnownFields(true)`): one unknown key anywhere and the pod exits. The shape lets the renderer leave out
// what the runtime would refuse, and name it, instead of writing a crash-looping pod. A test compares
// the shape with the `spec.config` schema of ToolHive's CRD of each supported version (both come from
// the runtime's Go types), so the table cannot drift from the runtime silently.

/** A value the runtime decodes as a scalar (or a list of scalars, at a `list(_)`). */
export const _ = "leaf" as const;
/** A subtree the runtime keeps as free-form data (JSON Schemas, step arguments). */
export const ANY = "any" as const;

export type Shape =
  | typeof _
  | typeof ANY
  | { readonly list: Shape }
  | { readonly map: Shape }
  | { readonly since: string; readonly shape: Shape }
  | { readonly [key: string]: Shape };

const list = (of: Shape) => ({ list: of });
const map = (of: Shape) => ({ map: of });
/** A key the runtime knows from `version` on. */
const since = (version: string, shape: Shape) => ({ since: version, shape });

const annotations = { destructiveHint: _, idempotentHint: _, openWorldHint: _, readOnlyHint: _, title: _ };
const bucket = { maxTokens: _, refillPeriod: { duration: _ } };
const secretOrEnv = (name: string) => ({ [name]: _, [`${name}Env`]: _ });

const STRATEGY = {
  type: _,
  headerInjection: { headerName: _, headerValue: _, headerValueEnv: _ },
  tokenExchange: {
    audience: _,
    clientId: _,
    ...secretOrEnv("clientSecret"),
    scopes: list(_),
    subjectProviderName: _,
    subjectTokenType: _,
    tokenUrl: _,
  },
  upstreamInject: { providerName: _ },
  awsSts: {
    fallbackRoleArn: _,
    region: _,
    roleClaim: _,
    roleMappings: list({ claim: _, matcher: _, priority: _, roleArn: _ }),
    service: _,
    sessionDuration: _,
    sessionNameClaim: _,
    subjectProviderName: _,
  },
  obo: {
    audience: _,
    cacheSkewSeconds: _,
    clientId: _,
    ...secretOrEnv("clientSecret"),
    scopes: list(_),
    subjectTokenProviderName: _,
    tokenUrl: _,
  },
  xaa: {
    idpClientId: _,
    ...secretOrEnv("idpClientSecret"),
    idpTokenUrl: _,
    insecureTargetTokenUrl: _,
    scopes: list(_),
    subjectProviderName: _,
    subjectTokenType: _,
    targetAudience: _,
    targetClientId: _,
    ...secretOrEnv("targetClientSecret"),
    targetResource: _,
    targetTokenUrl: _,
  },
};

/** One composite tool: inline in compositeTools, and the spec of a VirtualMCPCompositeToolDefinition. */
export const COMPOSITE_TOOL: Shape = {
  annotations,
  description: _,
  name: _,
  output: {
    properties: map({ default: ANY, description: _, properties: ANY, type: _, value: _ }),
    required: list(_),
  },
  parameters: ANY,
  steps: list({
    arguments: ANY,
    collection: _,
    condition: _,
    defaultResults: ANY,
    dependsOn: list(_),
    id: _,
    itemVar: _,
    maxIterations: _,
    maxParallel: _,
    message: _,
    onCancel: { action: _ },
    onDecline: { action: _ },
    onError: { action: _, retryCount: _, retryDelay: _ },
    schema: ANY,
    step: ANY,
    timeout: _,
    tool: _,
    type: _,
  }),
  timeout: _,
};

export const RUNTIME_CONFIG_SHAPE: Shape = {
  name: _,
  groupRef: _,
  metadata: map(_),
  backends: list({ caBundlePath: _, metadata: map(_), name: _, transport: _, type: _, url: _ }),
  incomingAuth: {
    type: _,
    oidc: {
      audience: _,
      caBundlePath: _,
      clientId: _,
      clientSecretEnv: _,
      insecureAllowHttp: _,
      introspectionUrl: _,
      issuer: _,
      jwksAllowPrivateIp: _,
      jwksUrl: _,
      protectedResourceAllowPrivateIp: _,
      resource: _,
      scopes: list(_),
    },
    authz: {
      type: _,
      policies: list(_),
      entitiesJson: _,
      groupClaimName: _,
      groupEntityType: _,
      primaryUpstreamProvider: _,
      roleClaimName: _,
    },
  },
  outgoingAuth: { source: _, default: STRATEGY, backends: map(STRATEGY) },
  aggregation: {
    conflictResolution: _,
    conflictResolutionConfig: { prefixFormat: _, priorityOrder: list(_) },
    defaultToolVisibility: _,
    excludeAllTools: _,
    tools: list({
      workload: _,
      filter: list(_),
      excludeAll: _,
      overrides: map({ annotations, description: _, name: _ }),
      toolConfigRef: { name: _ },
    }),
  },
  compositeToolRefs: list({ name: _ }),
  compositeTools: list(COMPOSITE_TOOL),
  operational: {
    logLevel: _,
    timeouts: { default: _, perWorkload: map(_) },
    failureHandling: {
      circuitBreaker: { enabled: _, failureThreshold: _, timeout: _ },
      healthCheckInterval: _,
      healthCheckTimeout: _,
      partialFailureMode: _,
      statusReportingInterval: _,
      unhealthyThreshold: _,
    },
  },
  telemetry: {
    caCertPath: _,
    customAttributes: map(_),
    enablePrometheusMetricsPath: _,
    endpoint: _,
    environmentVariables: list(_),
    headers: map(_),
    insecure: _,
    metricsEnabled: _,
    metricsOnTransportPort: since("v0.47.0", _),
    prometheusPort: since("v0.47.0", _),
    samplingRate: _,
    serviceName: _,
    serviceVersion: _,
    tracingEnabled: _,
    useLegacyAttributes: _,
  },
  audit: {
    component: _,
    detectApplicationErrors: _,
    enabled: _,
    eventTypes: list(_),
    excludeEventTypes: list(_),
    includeRequestData: _,
    includeResponseData: _,
    logFile: _,
    maxDataSize: _,
    maxDelegationDepth: _,
  },
  optimizer: {
    embeddingHeaders: map(_),
    embeddingModel: _,
    embeddingProvider: _,
    embeddingService: _,
    embeddingServiceTimeout: _,
    hybridSearchSemanticRatio: _,
    maxToolsToReturn: _,
    semanticDistanceThreshold: _,
  },
  codeMode: { enabled: _, parallelMaxConcurrency: _, stepLimit: _, toolCallTimeout: _ },
  passthroughHeaders: list(_),
  sessionStorage: { address: _, db: _, keyPrefix: _, provider: _ },
  rateLimiting: {
    perUser: bucket,
    shared: bucket,
    tools: list({ name: _, perUser: bucket, shared: bucket }),
  },
};
