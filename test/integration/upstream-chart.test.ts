// The CRDs as the API server serves them against ToolHive's own CRD chart of every supported version (read
// from the Go module cache): the same kinds, names, short names, categories, scope, versions with the same
// storage and deprecation, and the same printer columns. What `kubectl get`, RBAC rules and manifests see
// must not tell the two apart.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiextensionsV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SUPPORTED_VERSIONS } from "../../functions/core/runtime/versions.ts";
import { loadCrds } from "../../infra/local/control-plane/crds.ts";
import { toolhiveSource } from "../../infra/local/control-plane/runtimes.ts";
import { kubeConfig } from "./cluster.ts";

interface Column {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}
interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  additionalPrinterColumns?: Column[];
}
interface Crd {
  spec: {
    group: string;
    scope: string;
    names: Record<string, unknown>;
    versions: CrdVersion[];
  };
}

/** What a client can see of a CRD without reading its schema. */
function identity(crd: Crd) {
  const { group, scope, names, versions } = crd.spec;
  return {
    group,
    scope,
    names: {
      kind: names.kind,
      listKind: names.listKind,
      plural: names.plural,
      singular: names.singular,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
    },
    versions: versions
      .map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        deprecated: v.deprecated ?? false,
        deprecationWarning: v.deprecationWarning,
        columns: (v.additionalPrinterColumns ?? []).map((c) => ({
          name: c.name,
          type: c.type,
          jsonPath: c.jsonPath,
          priority: c.priority ?? 0,
        })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
type Identity = ReturnType<typeof identity>;

/**
 * Where ToolHive changed a kind between the supported versions, the CRDs follow the newest, and this table
 * says what each older version shows instead: the test fails on any other difference, and on an entry that
 * no longer applies. (ToolHive v0.63.0, not supported yet, drops the short names `mcpgroup`, `mcpserver`
 * and `mcpservers`; the CRDs keep them, since manifests and scripts written for v0.44-v0.47 use them.)
 */
const OLDER_UPSTREAM: Record<string, Record<string, (ours: Identity) => Identity>> = {
  "v0.44.0": {
    // v0.47.0 added the Proxies column (status.remoteProxyCount).
    MCPGroup: (ours) => ({
      ...ours,
      versions: ours.versions.map((v) => ({ ...v, columns: v.columns.filter((c) => c.name !== "Proxies") })),
    }),
  },
};

const ours = await loadCrds();

describe.each(SUPPORTED_VERSIONS)("against ToolHive's CRD chart %s", (version) => {
  const chart = new Map<string, Crd>();
  beforeAll(async () => {
    const dir = join(await toolhiveSource(version), "deploy/charts/operator-crds/files/crds");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const crd = parse(readFileSync(join(dir, file), "utf8")) as Crd;
      chart.set(crd.spec.names.kind as string, crd);
    }
  });

  it("serves exactly the chart's kinds", () => {
    expect(ours.map((crd) => crd.spec.names.kind).sort()).toEqual([...chart.keys()].sort());
  });

  it.each(ours.map((crd) => [crd.spec.names.kind, crd.metadata.name] as const))(
    "%s: names, scope, versions and printer columns as the chart's",
    async (kind, name) => {
      const live = await kubeConfig()
        .makeApiClient(ApiextensionsV1Api)
        .readCustomResourceDefinition({ name });
      const upstream = chart.get(kind);
      expect(upstream, `the chart has no ${kind}`).toBeDefined();
      const served = identity(live as unknown as Crd);
      const older = OLDER_UPSTREAM[version]?.[kind];
      if (older) expect(older(served), `a stale OLDER_UPSTREAM entry for ${kind}`).not.toEqual(served);
      expect(identity(upstream as Crd)).toEqual(older ? older(served) : served);
    },
  );
});
