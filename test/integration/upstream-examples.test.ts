// ToolHive's own example manifests (examples/operator of every supported version, read from the Go module
// cache) against the real API server with only this project's CRDs: every document of the
// toolhive.stacklok.dev group is accepted as written, strict field validation included, and the object the
// API server would store keeps everything the manifest sets. A server-side dry run: the API server runs
// its whole admission chain (schema, defaults, CEL, pruning) and stores nothing, so examples of different
// files that reuse a name do not collide. No webhook is configured in this file: it judges the schemas.
//
// Documents of other groups (Secrets, ConfigMaps, Services, StatefulSets, a Namespace, a
// ClusterRoleBinding, a RedisFailover of the Redis operator) are skipped: their schemas are not the
// project's, and the cluster-scoped and third-party ones would not apply to a bare control plane anyway.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { SUPPORTED_VERSIONS } from "../../functions/core/runtime/versions.ts";
import { toolhiveSource } from "../../infra/local/control-plane/runtimes.ts";
import { kubectlAsync, useNamespace } from "./cluster.ts";

const namespace = useNamespace("upstream-examples");
const GROUP = "toolhive.stacklok.dev";

interface Document {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
}

/** The group's documents of every example file, each labelled file#kind/name for messages. */
function toolhiveDocuments(dir: string): { label: string; doc: Document }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8"))
        .map((d) => d.toJS() as Document | null)
        .filter((doc): doc is Document => doc?.apiVersion?.startsWith(`${GROUP}/`) === true)
        .map((doc) => ({ label: `${file}#${doc.kind}/${doc.metadata?.name}`, doc })),
    );
}

/** Paths where `stored` lacks or changes what `written` sets; extra keys in `stored` (defaults) are fine. */
function lost(written: unknown, stored: unknown, at: string): string[] {
  if (written === null || typeof written !== "object") return written === stored ? [] : [at];
  if (stored === null || typeof stored !== "object") return [at];
  if (Array.isArray(written))
    return Array.isArray(stored) && stored.length === written.length
      ? written.flatMap((item, i) => lost(item, stored[i], `${at}[${i}]`))
      : [at];
  return Object.entries(written).flatMap(([key, value]) =>
    lost(value, (stored as Record<string, unknown>)[key], `${at}.${key}`),
  );
}

// The one warning ToolHive's chart gives on these examples too.
const REGISTRY_DEPRECATED = /^Warning: MCPRegistry is deprecated and will be removed in a future release; /;

/**
 * Examples that ToolHive's own chart of the same version refuses too, with the field it requires: they
 * spell tokenExchange's settings in snake_case (token_url, client_id, ...), which no v1beta1 schema had
 * (v0.63.0's examples are fixed). Each must be refused here for that field, and the test checks in the
 * chart that the chart requires it as well; a version without entries has every example accepted.
 */
const REFUSED_BY_THE_CHART_TOO: Record<string, Record<string, string>> = Object.fromEntries(
  ["v0.44.0", "v0.47.0"].map((version) => [
    version,
    {
      "external-auth/complete_example.yaml#MCPExternalAuthConfig/keycloak-token-exchange":
        "spec.tokenExchange.tokenUrl",
      "external-auth/mcpexternalauthconfig_basic.yaml#MCPExternalAuthConfig/oauth-token-exchange":
        "spec.tokenExchange.tokenUrl",
      "external-auth/mcpexternalauthconfig_minimal.yaml#MCPExternalAuthConfig/minimal-oauth":
        "spec.tokenExchange.tokenUrl",
    },
  ]),
);

interface Schema {
  required?: string[];
  properties?: Record<string, Schema>;
}

/** Whether the chart's CRD of `kind` (its storage version) requires the field at a dotted path. */
function chartRequires(chartDir: string, kind: string, path: string): boolean {
  const crd = readdirSync(chartDir)
    .map((file) => readFileSync(join(chartDir, file), "utf8"))
    .filter((text) => text.includes(`kind: ${kind}\n`))
    .map(
      (text) =>
        parse(text) as {
          spec: {
            names: { kind: string };
            versions: { storage: boolean; schema: { openAPIV3Schema: Schema } }[];
          };
        },
    )
    .find((candidate) => candidate.spec.names.kind === kind);
  if (!crd) return false;
  const steps = path.split(".");
  const field = steps.pop() as string;
  let node: Schema | undefined = crd.spec.versions.find((v) => v.storage)?.schema.openAPIV3Schema;
  for (const step of steps) node = node?.properties?.[step];
  return node?.required?.includes(field) === true;
}

describe.each(SUPPORTED_VERSIONS)("ToolHive's examples of %s", (version) => {
  const refusedToo = REFUSED_BY_THE_CHART_TOO[version] ?? {};
  let source: string;
  let documents: { label: string; doc: Document }[];
  beforeAll(async () => {
    source = await toolhiveSource(version);
    documents = toolhiveDocuments(join(source, "examples", "operator"));
  });
  // Each example names its own namespace (default, toolhive-system, ...); this file's stands in for all.
  const here = (doc: Document) => ({ ...doc, metadata: { ...doc.metadata, namespace: namespace.name } });
  const dryRun = (input: unknown) =>
    kubectlAsync(
      ["apply", "--dry-run=server", "-n", namespace.name, "-o", "json", "-f", "-"],
      JSON.stringify(input),
    );

  it("are all accepted by a server-side dry run, and nothing they set is pruned", async () => {
    // Dozens of kinds' worth of examples: proof that the directory is the one meant, not an empty one.
    expect(documents.length).toBeGreaterThan(100);
    const accepted = documents.filter(({ label }) => !(label in refusedToo));
    const result = await dryRun({
      apiVersion: "v1",
      kind: "List",
      items: accepted.map(({ doc }) => here(doc)),
    });
    const warnings = result.stderr.split("\n").filter((line) => line !== "");
    expect(warnings.filter((line) => !REGISTRY_DEPRECATED.test(line))).toEqual([]);
    expect(result.status).toBe(0);

    const stored = (JSON.parse(result.stdout) as { items: Document[] }).items;
    expect(stored.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      accepted.map(({ doc }) => `${doc.kind}/${doc.metadata?.name}`),
    );
    const pruned = accepted.flatMap(({ label, doc }, i) =>
      lost(doc.spec ?? {}, stored[i]?.spec ?? {}, "spec").map((path) => `${label}: ${path}`),
    );
    expect(pruned).toEqual([]);
  });

  it("refuse only what ToolHive's own chart of the version refuses, for the same field", async () => {
    const chartDir = join(source, "deploy/charts/operator-crds/files/crds");
    for (const [label, field] of Object.entries(refusedToo)) {
      const found = documents.find((d) => d.label === label);
      expect(found, `${label} is no longer among the examples`).toBeDefined();
      const { doc } = found as { doc: Document };
      expect(chartRequires(chartDir, doc.kind as string, field), `the chart requires ${field}`).toBe(true);
      const result = await dryRun(here(doc));
      expect(result.status, label).not.toBe(0);
      expect(result.stderr, label).toContain(`${field}: Required value`);
    }
  });
});
