// What each function's bundle holds, from esbuild's metafile of the builds `osls package` runs
// (infra/aws/bundle-plugin.cjs's own options, built in memory). The cold-start split is a boundary of the
// bundle, not of any one file: one static import anywhere on the admission function's mutating path can
// pull classic zod, client-node or the AWS SDK into index.mjs, and only the bundle shows it. biome.json's
// rules for that path name its files; this test keeps their list equal to what index.mjs is built from.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

interface BundlePlugin {
  readonly ENTRY_POINTS: Readonly<Record<string, string>>;
  functionBuilds(serviceDir: string, name: string, outdir: string): esbuild.BuildOptions[];
}
const plugin = createRequire(import.meta.url)("../../infra/aws/bundle-plugin.cjs") as BundlePlugin;

/** One function's bundle: its files (by name in the function's directory), each with its inputs (by path
 * from the repository), the files it imports, statically or with import(), and the packages it imports
 * when they are left out of the build. */
type Bundle = Map<string, Output>;
interface Output {
  readonly inputs: string[];
  readonly imports: { file: string; dynamic: boolean }[];
  readonly packages: string[];
}

/** What `builds` of `name`'s bundle make: built as osls builds them, in memory, with esbuild's metafile. */
async function bundleOf(
  name: string,
  extra: esbuild.BuildOptions,
  builds = (all: esbuild.BuildOptions[]) => all,
) {
  const outdir = join(tmpdir(), "vmcp-bundles", name); // named for esbuild, never written
  const fileName = (path: string) => relative(outdir, join(REPO, path));
  const results = await Promise.all(
    builds(plugin.functionBuilds(REPO, name, outdir)).map((options) =>
      esbuild.build({ ...options, ...extra, absWorkingDir: REPO, metafile: true, write: false }),
    ),
  );
  const bundle: Bundle = new Map();
  for (const { metafile } of results)
    for (const [path, output] of Object.entries(metafile.outputs)) {
      if (path.endsWith(".map")) continue;
      // A separate module is external to the build that imports it, named from the function's directory.
      const files = output.imports.filter((i) => !i.external || i.path.startsWith("./"));
      bundle.set(fileName(path), {
        inputs: Object.keys(output.inputs),
        imports: files.map((i) => ({
          file: i.external ? i.path.slice(2) : fileName(i.path),
          dynamic: i.kind !== "import-statement",
        })),
        packages: output.imports.filter((i) => i.external && !/^(\.|node:)/.test(i.path)).map((i) => i.path),
      });
    }
  return bundle;
}

/** The files Node evaluates when it imports `file`: it and every file it imports statically, transitively;
 * what it loads with import() comes later, on the paths that need it. */
function loadedWith(bundle: Bundle, file: string, seen = new Set<string>()): Output[] {
  const output = bundle.get(file);
  if (!output) throw new Error(`the bundle has no ${file}: ${[...bundle.keys()].join(", ")}`);
  seen.add(file);
  const next = output.imports.filter((i) => !i.dynamic && !seen.has(i.file));
  return [output, ...next.flatMap((i) => loadedWith(bundle, i.file, seen))];
}
const inputsLoadedWith = (bundle: Bundle, file: string) => loadedWith(bundle, file).flatMap((o) => o.inputs);

const CLASSIC_ZOD = /node_modules\/zod\/(index\.js|v4\/index\.js|v4\/classic\/|v3\/)/;
const CLIENT_NODE = /node_modules\/@kubernetes\/client-node\//;
const AWS_SDK = /node_modules\/@aws-sdk\//;
/** The folders of the packages' files among `paths` that match `pattern` (a package has hundreds). */
const found = (paths: string[], pattern: RegExp) => [
  ...new Set(
    paths
      .filter((path) => pattern.test(path))
      .map((path) => path.split("node_modules/").at(-1)?.split("/").slice(0, 3).join("/")),
  ),
];

// The admission function's index.mjs whole, packages included: what its cold start loads. Every bundle
// again with its packages left out (named, not read: they are most of a build's time, and none of them
// imports the repository's files): which of the repository's files each holds, in a fraction of a second.
const names = Object.keys(plugin.ENTRY_POINTS);
let bundles: Map<string, Bundle>;
let admissionIndex: Bundle;
beforeAll(async () => {
  const [index, ...shallow] = await Promise.all([
    bundleOf("admission", {}, (builds) => builds.slice(0, 1)), // the handler's build, index.mjs
    ...names.map((name) => bundleOf(name, { packages: "external" })),
  ]);
  admissionIndex = index as Bundle;
  bundles = new Map(names.map((name, i) => [name, shallow[i] as Bundle]));
}, 60_000);

describe("the admission function's bundle", () => {
  it("loads neither classic zod nor client-node nor the AWS SDK with index.mjs (the mutating path)", () => {
    const atStart = inputsLoadedWith(admissionIndex, "index.mjs");
    expect(found(atStart, CLASSIC_ZOD)).toEqual([]);
    expect(found(atStart, CLIENT_NODE)).toEqual([]);
    expect(found(atStart, AWS_SDK)).toEqual([]);
  });

  it("has validating.mjs load what validation needs, on the first validation", () => {
    const admission = bundles.get("admission") as Bundle;
    expect(admission.get("index.mjs")?.imports).toContainEqual({ file: "validating.mjs", dynamic: true });
    const validating = loadedWith(admission, "validating.mjs");
    expect(validating.flatMap((o) => o.inputs)).toContain("functions/admission/validate-review.ts");
    expect(validating.flatMap((o) => o.packages)).toEqual(
      expect.arrayContaining(["zod", "@kubernetes/client-node", "@aws-sdk/client-eventbridge"]),
    );
  });
});

describe("every function's bundle", () => {
  it("holds none of the development stack, the tests or the benchmarks", () => {
    const tooling = [...bundles].flatMap(([name, bundle]) =>
      [...bundle.values()]
        .flatMap((output) => output.inputs)
        .filter((path) => /^(infra\/local|test|bench)\//.test(path))
        .map((path) => `${name}: ${path}`),
    );
    expect(tooling).toEqual([]);
  });
});

type Override = {
  includes: string[];
  linter?: {
    rules?: { style?: { noRestrictedImports?: { options?: { patterns?: { group: string[] }[] } } } };
  };
};
const overrides = (JSON.parse(readFileSync(join(REPO, "biome.json"), "utf8")) as { overrides: Override[] })
  .overrides;
const restrictions = (override: Override) =>
  override.linter?.rules?.style?.noRestrictedImports?.options?.patterns ?? [];
const forbidsClassicZod = (override: Override) => restrictions(override).some((p) => p.group.includes("zod"));

describe("biome.json's rules for the mutating path", () => {
  it("name exactly the files of functions/ that index.mjs is built from", () => {
    const named = overrides.filter(forbidsClassicZod).flatMap((o) => o.includes);
    const built = inputsLoadedWith(admissionIndex, "index.mjs").filter((path) =>
      path.startsWith("functions/"),
    );
    expect({
      "to name in biome.json": built.filter((path) => !named.includes(path)).sort(),
      "no longer on the path": named.filter((path) => !built.includes(path)).sort(),
    }).toEqual({ "to name in biome.json": [], "no longer on the path": [] });
  });

  it("keep the functional core's rules on its files (an override replaces a rule's options)", () => {
    const core = overrides.find((o) => o.includes.length === 1 && o.includes[0] === "functions/core/**");
    expect(core).toBeDefined();
    for (const override of overrides.filter(forbidsClassicZod))
      if (override.includes.some((path) => path.startsWith("functions/core/")))
        expect(restrictions(override)).toEqual(expect.arrayContaining(restrictions(core as Override)));
  });
});
