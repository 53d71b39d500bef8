// A local osls plugin: before osls packages anything, esbuild bundles each function's handler into
// dist/lambda/<function>/index.mjs (ESM; what it imports lazily in files beside it; source maps), so
// `osls package` and `osls deploy` need no separate build step. CommonJS: osls 3 require()s plugins.
const { rmSync } = require("node:fs");
const { basename, join } = require("node:path");

// Modules a function loads lazily that are bundled as files of their own, not as chunks shared with the
// entry: code splitting would put what they share with it (zod's core, with all its locales) into chunks
// the entry loads at start. The admission function's mutations must not pay for validation's imports
// (test/unit/bundles.test.ts fails if its index.mjs loads classic zod, client-node or the AWS SDK).
const SEPARATE_MODULES = {
  admission: ["functions/admission/validating.ts"],
};

const ENTRY_POINTS = {
  admission: "functions/admission/handler.ts",
  router: "functions/reconcile/hint-router.ts",
  reconcile: "functions/reconcile/handler.ts",
  resync: "functions/resync/handler.ts",
};

/** One function's esbuild options: `entry` bundled to `<outdir>/index.mjs`. The cold-start bench builds
 * its no-op baseline with these too, so the two differ only in the code. */
function buildOptions(entry, outdir, name = "index", separate = []) {
  return {
    entryPoints: { [name]: entry },
    plugins: [separately(separate)],
    outdir,
    outExtension: { ".js": ".mjs" },
    // What a handler loads with import() goes to its own files next to index.mjs (<module>-<hash>.mjs,
    // and chunk-<hash>.mjs for code they share), read and evaluated only on the paths that need them: the
    // admission function's mutations never load client-node or the AWS SDK (test/unit/bundles.test.ts
    // checks it on these options' metafile). osls packages dist/lambda/<function>/**, so the zip holds them.
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: "none",
    logLevel: "warning",
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  };
}

/** Imports of `modules` (absolute paths) become imports of their own bundles, `./<basename>.mjs`. */
function separately(modules) {
  return {
    name: "separate-modules",
    setup(build) {
      build.onResolve({ filter: /\.ts$/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const path = join(args.resolveDir, args.path);
        if (!modules.includes(path)) return undefined;
        return { path: `./${basename(path, ".ts")}.mjs`, external: true };
      });
    },
  };
}

/** The builds that make one function's bundle in `outdir`: its handler as index.mjs, and each of its
 * separate modules as a file of its own. test/unit/bundles.test.ts checks what each of them contains. */
function functionBuilds(serviceDir, name, outdir) {
  const separate = (SEPARATE_MODULES[name] ?? []).map((module) => join(serviceDir, module));
  return [
    buildOptions(join(serviceDir, ENTRY_POINTS[name]), outdir, "index", separate),
    ...separate.map((module) => buildOptions(module, outdir, basename(module, ".ts"))),
  ];
}

/** Bundles every function into `<outRoot>/<function>/` (dist/lambda by default). */
async function bundle(serviceDir, log, outRoot = join(serviceDir, "dist", "lambda")) {
  const esbuild = require("esbuild");
  const started = Date.now();
  await Promise.all(
    Object.keys(ENTRY_POINTS).map((name) => {
      // Chunk names change with their content: an earlier build's must not be packaged.
      rmSync(join(outRoot, name), { recursive: true, force: true });
      const builds = functionBuilds(serviceDir, name, join(outRoot, name));
      return Promise.all(builds.map((options) => esbuild.build(options)));
    }),
  );
  log(`bundled ${Object.keys(ENTRY_POINTS).length} functions in ${Date.now() - started} ms`);
}

class BundleFunctions {
  constructor(serverless, _options, { log }) {
    const run = () => bundle(serverless.serviceDir, (line) => log.notice(line));
    this.hooks = {
      "before:package:createDeploymentArtifacts": run,
      "before:deploy:function:packageFunction": run,
    };
  }
}

module.exports = BundleFunctions;
module.exports.ENTRY_POINTS = ENTRY_POINTS;
module.exports.bundle = bundle;
module.exports.buildOptions = buildOptions;
module.exports.functionBuilds = functionBuilds;
