// A local osls plugin: before osls packages anything, esbuild bundles each function's handler into
// dist/lambda/<function>/index.mjs (one small ESM file with its source map), so `osls package` and
// `osls deploy` need no separate build step. CommonJS because osls 3 loads plugins with require().
const { join } = require("node:path");

const ENTRY_POINTS = {
  admission: "functions/admission/handler.ts",
  router: "functions/reconcile/hint-router.ts",
  reconcile: "functions/reconcile/handler.ts",
  resync: "functions/resync/handler.ts",
};

async function bundle(serviceDir, log) {
  const esbuild = require("esbuild");
  const started = Date.now();
  await Promise.all(
    Object.entries(ENTRY_POINTS).map(([name, entry]) =>
      esbuild.build({
        entryPoints: [join(serviceDir, entry)],
        outfile: join(serviceDir, "dist", "lambda", name, "index.mjs"),
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
      }),
    ),
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
