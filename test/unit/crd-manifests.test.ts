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
const schemaOf = (v: Version) => (v.schema as { openAPIV3Schema: Record<string, unknown> }).openAPIV3Schema;
const at = (node: unknown, ...path: string[]): Record<string, unknown> =>
  path.reduce((n, key) => (n as Record<string, Record<string, unknown>>)[key] as unknown, node) as Record<
    string,
    unknown
  >;

describe("CustomResourceDefinitions", () => {
  it("define the six ToolHive kinds with upstream plural and short names", () => {
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
    });
  });

  it.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))("%s: group, scope, versions", (_, crd) => {
    expect(crd.spec.group).toBe("toolhive.stacklok.dev");
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.toolhive.stacklok.dev`);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names.categories).toEqual(["toolhive"]);
    const beta = version(crd, "v1beta1");
    const alpha = version(crd, "v1alpha1");
    expect([beta.served, beta.storage, beta.deprecated ?? false]).toEqual([true, true, false]);
    expect([alpha.served, alpha.storage, alpha.deprecated]).toEqual([true, false, true]);
    expect(alpha.deprecationWarning).toBe("toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1");
    // No conversion webhook: both versions must be the same schema for objects to round-trip.
    expect(alpha.schema).toEqual(beta.schema);
    expect(alpha.additionalPrinterColumns).toEqual(beta.additionalPrinterColumns);
    for (const v of [alpha, beta]) expect(v.subresources).toEqual({ status: {} });
  });

  it.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))(
    "%s: conditions are a map list keyed by type",
    (_, crd) => {
      const conditions = at(
        schemaOf(version(crd, "v1beta1")),
        "properties",
        "status",
        "properties",
        "conditions",
      );
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

  it("every CEL rule carries a message that names a field", () => {
    const messagesIn = (node: unknown): string[] => {
      if (node === null || typeof node !== "object") return [];
      return Object.entries(node).flatMap(([key, value]) =>
        key === "x-kubernetes-validations"
          ? (value as { message?: string }[]).map((rule) => rule.message ?? "")
          : messagesIn(value),
      );
    };
    const messages = crds.flatMap((crd) => messagesIn(schemaOf(version(crd, "v1beta1"))));
    expect(messages.length).toBeGreaterThanOrEqual(12);
    // A dotted path such as spec.incomingAuth.oidcConfigRef or externalAuthConfigRef.name.
    for (const message of messages) expect(message).toMatch(/\b[a-z][A-Za-z]*\.[a-z][A-Za-z.]*/);
  });
});
