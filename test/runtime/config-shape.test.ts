// The renderer's table of the runtime's config keys against the real thing: ToolHive's CRD of each supported
// version types spec.config with the runtime's own Config struct, so every key path must agree both ways.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { versionAtLeast } from "../../functions/core/runtime/config-fit.ts";
import { _, ANY, RUNTIME_CONFIG_SHAPE, type Shape } from "../../functions/core/runtime/config-shape.ts";
import { SUPPORTED_VERSIONS } from "../../functions/core/runtime/versions.ts";
import { toolhiveSource } from "../../infra/local/control-plane/runtimes.ts";

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** Key paths of a CRD schema: `a.b`, `a[]`, `a{}`; free-form subtrees end in `*`. */
function schemaPaths(schema: Schema, at: string, out: string[]): string[] {
  if (schema.properties)
    for (const [k, s] of Object.entries(schema.properties)) schemaPaths(s, `${at}.${k}`, out);
  else if (schema.type === "array" && schema.items) schemaPaths(schema.items, `${at}[]`, out);
  else if (typeof schema.additionalProperties === "object")
    schemaPaths(schema.additionalProperties, `${at}{}`, out);
  else out.push(schema.type === "object" || schema["x-kubernetes-preserve-unknown-fields"] ? `${at}*` : at);
  return out;
}

function shapePaths(shape: Shape, version: string, at: string, out: string[]): string[] {
  if (shape === ANY) out.push(`${at}*`);
  else if (shape === _) out.push(at);
  else if ("since" in shape && typeof shape.since === "string") {
    if (versionAtLeast(version, shape.since)) shapePaths(shape.shape as Shape, version, at, out);
  } else if ("list" in shape && Object.keys(shape).length === 1) {
    // A list of scalars is a leaf of the shape, an array of strings in the CRD.
    if (shape.list === _) out.push(`${at}[]`);
    else shapePaths(shape.list as Shape, version, `${at}[]`, out);
  } else if ("map" in shape && Object.keys(shape).length === 1)
    shapePaths(shape.map as Shape, version, `${at}{}`, out);
  else for (const [k, s] of Object.entries(shape)) shapePaths(s as Shape, version, `${at}.${k}`, out);
  return out;
}

// The one place the YAML the runtime reads differs from the JSON the CRD takes (metav1.Duration).
const yamlOnly = (path: string) => path.replace(/refillPeriod\.duration$/, "refillPeriod");

describe.each(SUPPORTED_VERSIONS)("the runtime config shape for %s", (version) => {
  it("has exactly the key paths of ToolHive's CRD spec.config", async () => {
    const file = join(
      await toolhiveSource(version),
      "deploy/charts/operator-crds/files/crds/toolhive.stacklok.dev_virtualmcpservers.yaml",
    );
    const crd = parse(readFileSync(file, "utf8")) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
    };
    const v1beta1 = crd.spec.versions.find((v) => v.name === "v1beta1");
    const config = v1beta1?.schema.openAPIV3Schema.properties?.spec?.properties?.config as Schema;
    const fromCrd = schemaPaths(config, "config", []).sort();
    const fromShape = shapePaths(RUNTIME_CONFIG_SHAPE, version, "config", []).map(yamlOnly).sort();
    expect(fromShape).toEqual(fromCrd);
  });
});
