// The CRD files against ToolHive's API: names, versions, printer columns and list semantics. A mistake
// here would make ToolHive manifests or tooling (kubectl get vmcp) behave differently.
import { describe, expect, it } from "vitest";
import { type CrdManifest, loadCrds } from "../../infra/local/control-plane/crds.ts";

const crds = await loadCrds();
const byKind = new Map(crds.map((crd) => [crd.spec.names.kind, crd]));

type Version = CrdManifest["spec"]["versions"][number];
const version = (crd: CrdManifest, name: string): Version => {
  const found = crd.spec.versions.find((v) => v.name === name);
  if (!found) throw new Error(`${crd.metadata.name} has no ${name}`);
  return found;
};
/** The version objects are stored as: v1beta1, or v1alpha1 for MCPWebhookConfig (its only version). */
const stored = (crd: CrdManifest): Version => {
  const found = crd.spec.versions.find((v) => v.storage);
  if (!found) throw new Error(`${crd.metadata.name} stores no version`);
  return found;
};
const schemaOf = (v: Version) => (v.schema as { openAPIV3Schema: Record<string, unknown> }).openAPIV3Schema;
const at = (node: unknown, ...path: string[]): Record<string, unknown> =>
  path.reduce((n, key) => (n as Record<string, Record<string, unknown>>)[key] as unknown, node) as Record<
    string,
    unknown
  >;

describe("CustomResourceDefinitions", () => {
  it("define ToolHive's fourteen kinds with upstream plural and short names", () => {
    const names = Object.fromEntries(
      crds.map((crd) => [crd.spec.names.kind, [crd.spec.names.plural, crd.spec.names.shortNames]]),
    );
    expect(names).toEqual({
      VirtualMCPServer: ["virtualmcpservers", ["vmcp", "virtualmcp"]],
      MCPGroup: ["mcpgroups", ["mcpg", "mcpgroup"]],
      MCPServer: ["mcpservers", ["mcpserver", "mcpservers"]],
      MCPRemoteProxy: ["mcpremoteproxies", ["rp", "mcprp"]],
      MCPExternalAuthConfig: ["mcpexternalauthconfigs", ["extauth", "mcpextauth"]],
      MCPServerEntry: ["mcpserverentries", ["mcpentry"]],
      MCPOIDCConfig: ["mcpoidcconfigs", ["mcpoidc"]],
      MCPAuthzConfig: ["mcpauthzconfigs", ["authzcfg"]],
      MCPTelemetryConfig: ["mcptelemetryconfigs", ["mcpotel"]],
      MCPToolConfig: ["mcptoolconfigs", ["tc", "toolconfig"]],
      VirtualMCPCompositeToolDefinition: ["virtualmcpcompositetooldefinitions", ["vmcpctd", "compositetool"]],
      EmbeddingServer: ["embeddingservers", ["emb", "embedding"]],
      MCPRegistry: ["mcpregistries", ["mcpreg", "registry"]],
      MCPWebhookConfig: ["mcpwebhookconfigs", ["mwc"]],
    });
  });

  it.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))("%s: group, scope, versions", (_, crd) => {
    expect(crd.spec.group).toBe("toolhive.stacklok.dev");
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.toolhive.stacklok.dev`);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names.categories).toEqual(["toolhive"]);
    const flags = crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]);
    for (const v of crd.spec.versions) expect(v.subresources).toEqual({ status: {} });
    if (crd.spec.names.kind === "MCPWebhookConfig") {
      // Upstream has no v1beta1 of it yet.
      expect(flags).toEqual([["v1alpha1", true, true, false]]);
      return;
    }
    const beta = version(crd, "v1beta1");
    const alpha = version(crd, "v1alpha1");
    // Upstream deprecates MCPRegistry as a whole, in both versions, with a warning of its own.
    const registry = crd.spec.names.kind === "MCPRegistry";
    expect(flags).toEqual([
      ["v1beta1", true, true, registry],
      ["v1alpha1", true, false, true],
    ]);
    expect(alpha.deprecationWarning).toBe(
      registry ? beta.deprecationWarning : "toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1",
    );
    if (registry) expect(beta.deprecationWarning).toMatch(/^MCPRegistry is deprecated/);
    // No conversion webhook: both versions must be the same schema for objects to round-trip.
    expect(alpha.schema).toEqual(beta.schema);
    expect(alpha.additionalPrinterColumns).toEqual(beta.additionalPrinterColumns);
  });

  it.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))(
    "%s: conditions are a map list keyed by type",
    (_, crd) => {
      const conditions = at(schemaOf(stored(crd)), "properties", "status", "properties", "conditions");
      expect(conditions["x-kubernetes-list-type"]).toBe("map");
      expect(conditions["x-kubernetes-list-map-keys"]).toEqual(["type"]);
    },
  );

  it("VirtualMCPServer shows upstream's printer columns and keys discoveredBackends by name", () => {
    const vmcp = byKind.get("VirtualMCPServer") as CrdManifest;
    const columns = (
      version(vmcp, "v1beta1").additionalPrinterColumns as { name: string; jsonPath: string }[]
    ).map((c) => [c.name, c.jsonPath]);
    expect(columns).toEqual([
      ["Phase", ".status.phase"],
      ["URL", ".status.url"],
      ["Backends", ".status.backendCount"],
      ["Age", ".metadata.creationTimestamp"],
      ["Ready", ".status.conditions[?(@.type=='Ready')].status"],
    ]);
    const backends = at(
      schemaOf(version(vmcp, "v1beta1")),
      "properties",
      "status",
      "properties",
      "discoveredBackends",
    );
    expect(backends["x-kubernetes-list-type"]).toBe("map");
    expect(backends["x-kubernetes-list-map-keys"]).toEqual(["name"]);
  });

  it("VirtualMCPServer types the fields the functions read with upstream enums and defaults", () => {
    const spec = at(
      schemaOf(version(byKind.get("VirtualMCPServer") as CrdManifest, "v1beta1")),
      "properties",
      "spec",
    );
    const prop = (...path: string[]) => at(spec, ...path.flatMap((p) => ["properties", p]));
    expect(spec.required).toEqual(["groupRef", "incomingAuth"]);
    expect(prop("outgoingAuth", "source")).toMatchObject({
      enum: ["discovered", "inline"],
      default: "discovered",
    });
    expect(prop("outgoingAuth", "default", "type").enum).toEqual(["discovered", "externalAuthConfigRef"]);
    expect(prop("serviceType")).toMatchObject({
      enum: ["ClusterIP", "NodePort", "LoadBalancer"],
      default: "ClusterIP",
    });
    expect(prop("incomingAuth", "type").enum).toEqual(["anonymous", "oidc"]);
    expect(prop("config", "aggregation", "conflictResolution")).toMatchObject({
      enum: ["prefix", "priority", "manual"],
      default: "prefix",
    });
    for (const passThrough of ["podTemplateSpec", "config", "authServerConfig"]) {
      expect(prop(passThrough)["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    }
  });

  // Kinds ToolHive's controllers own (vmcp-lambda reads some of them): every field ToolHive adds in a later
  // version must survive a round trip through the API server, so nothing under spec or status is pruned.
  it.each([
    "MCPOIDCConfig",
    "MCPAuthzConfig",
    "MCPTelemetryConfig",
    "MCPToolConfig",
    "VirtualMCPCompositeToolDefinition",
    "EmbeddingServer",
    "MCPRegistry",
    "MCPWebhookConfig",
  ])("%s keeps unknown fields in spec and status", (kind) => {
    const root = schemaOf(stored(byKind.get(kind) as CrdManifest));
    for (const part of ["spec", "status"])
      expect(at(root, "properties", part)["x-kubernetes-preserve-unknown-fields"], part).toBe(true);
  });

  it("the referenced kinds type what the functions read with upstream's enums, required fields and defaults", () => {
    const spec = (kind: string) =>
      at(schemaOf(stored(byKind.get(kind) as CrdManifest)), "properties", "spec");
    const prop = (kind: string, ...path: string[]) =>
      at(spec(kind), ...path.flatMap((p) => ["properties", p]));
    expect(spec("MCPOIDCConfig").required).toEqual(["type"]);
    expect(prop("MCPOIDCConfig", "type").enum).toEqual(["kubernetesServiceAccount", "inline"]);
    expect(prop("MCPOIDCConfig", "inline").required).toEqual(["issuer"]);
    expect(prop("MCPOIDCConfig", "inline", "clientSecretRef").required).toEqual(["name", "key"]);
    expect(prop("MCPOIDCConfig", "kubernetesServiceAccount", "issuer").default).toBe(
      "https://kubernetes.default.svc",
    );
    // The authorizer types are a registry upstream (cedarv1, httpv1, ...): no enum to fall behind.
    expect(spec("MCPAuthzConfig").required).toEqual(["type", "config"]);
    expect(prop("MCPAuthzConfig", "type").enum).toBeUndefined();
    expect(prop("MCPTelemetryConfig", "openTelemetry", "sensitiveHeaders")).toMatchObject({
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    });
    expect(prop("MCPTelemetryConfig", "openTelemetry", "useLegacyAttributes").default).toBe(true);
    expect(prop("MCPTelemetryConfig", "openTelemetry", "tracing", "samplingRate").default).toBe("0.05");
    expect(prop("MCPToolConfig", "toolsFilter")["x-kubernetes-list-type"]).toBe("set");
    const override = at(prop("MCPToolConfig", "toolsOverride"), "additionalProperties", "properties");
    expect(Object.keys(override)).toEqual(["name", "description", "annotations"]);
    expect(spec("VirtualMCPCompositeToolDefinition").required).toEqual(["name", "steps"]);
    const step = at(prop("VirtualMCPCompositeToolDefinition", "steps"), "items");
    expect(step.required).toEqual(["id"]);
    expect(at(step, "properties", "type")).toMatchObject({
      enum: ["tool", "elicitation", "forEach"],
      default: "tool",
    });
    expect(prop("EmbeddingServer", "port")).toMatchObject({ minimum: 1, maximum: 65535, default: 8080 });
    const embeddingStatus = at(schemaOf(stored(byKind.get("EmbeddingServer") as CrdManifest)), "properties");
    expect(at(embeddingStatus, "status", "properties", "phase").enum).toEqual([
      "Pending",
      "Downloading",
      "Ready",
      "Failed",
      "Terminating",
    ]);
  });

  it("every CEL rule carries a message that names a field", () => {
    const messagesIn = (node: unknown): string[] => {
      if (node === null || typeof node !== "object") return [];
      return Object.entries(node).flatMap(([key, value]) =>
        key === "x-kubernetes-validations"
          ? (value as { message?: string }[]).map((rule) => rule.message ?? "")
          : messagesIn(value),
      );
    };
    const messages = crds.flatMap((crd) => messagesIn(schemaOf(stored(crd))));
    expect(messages.length).toBeGreaterThanOrEqual(12);
    // A dotted path such as spec.incomingAuth.oidcConfigRef or externalAuthConfigRef.name.
    for (const message of messages) expect(message).toMatch(/\b[a-z][A-Za-z]*\.[a-z][A-Za-z.]*/);
  });
});
