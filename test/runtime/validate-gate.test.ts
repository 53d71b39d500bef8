// The gate: every config.yaml the functions write passes the real `vmcp validate` of the version it targets,
// or the spec is refused with Valid=False naming the field and no child is written. Inputs: the project's
// examples and ToolHive's own examples of each supported version (read from the Go module cache).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SUPPORTED_VERSIONS } from "../../functions/core/runtime/versions.ts";
import { toolhiveSource } from "../../infra/local/control-plane/runtimes.ts";
import { inParallel } from "../../infra/local/test-kit/in-parallel.ts";
import { type Judgement, judge } from "./judge.ts";
import { type Labelled, type Manifest, readManifests, snapshotsOf } from "./manifest-snapshots.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
/** ToolHive's examples of OIDC incoming auth (an MCPOIDCConfig by reference): accepted, not only refused well. */
const OIDC_EXAMPLES = [
  "virtual-mcps/vmcp_with_oidcconfig_ref.yaml#shared-auth-vmcp",
  "virtual-mcps/vmcp_inline_incoming_auth.yaml#inline-auth-vmcp",
  "virtual-mcps/vmcp_production_full.yaml#production-vmcp",
];

/**
 * ToolHive's examples its own runtime refuses, refused here at this field instead of written: the
 * elicitation workflow's deploy step retries with `maxRetries`, a key neither ToolHive's CRD nor its
 * runtime knows (the runtime's is `retryCount`), so the runtime sees a retry without a count.
 */
const INVALID_UPSTREAM: Record<string, string> = {
  "virtual-mcps/composite_tool_with_elicitations.yaml#vmcp-interactive-deploy":
    "spec.config.compositeToolRefs[0].name",
};

/** ToolHive's standalone entry examples share group remote-tools but bring no VirtualMCPServer: one over it. */
const OVER_REMOTE_TOOLS: Manifest = {
  apiVersion: "toolhive.stacklok.dev/v1beta1",
  kind: "VirtualMCPServer",
  metadata: { name: "remote-tools-vmcp", namespace: "toolhive-system" },
  spec: {
    groupRef: { name: "remote-tools" },
    incomingAuth: { type: "anonymous" },
    outgoingAuth: { source: "inline" },
  },
};

type StaticBackend = { name: string; url: string; transport: string; type?: string; caBundlePath?: string };

const snapshotsIn = (dir: string): Labelled[] =>
  readManifests(dir).flatMap(({ file, docs }) => snapshotsOf(file, docs));

async function judgeAll(version: string, inputs: readonly Labelled[]) {
  // `vmcp validate` is a process each, and the machine has two cores.
  const judged = await inParallel(
    inputs,
    async (input) => ({ label: input.label, judgement: await judge(version, input.snapshot) }),
    2,
  );
  const rejects = judged.filter((j) => j.judgement.kind === "rejected");
  const count = (kind: Judgement["kind"]) => judged.filter((j) => j.judgement.kind === kind).length;
  return { judged, rejects, accepted: count("accepted"), refused: count("refused") };
}

describe.each(SUPPORTED_VERSIONS)("vmcp validate %s", (version) => {
  let toolhiveExamples: string;
  beforeAll(async () => {
    toolhiveExamples = join(await toolhiveSource(version), "examples", "operator");
  });

  it("accepts every config written for the project's examples", async () => {
    const result = await judgeAll(version, snapshotsIn(EXAMPLES));
    expect(result.rejects).toEqual([]);
    // The examples are meant to run: none is refused.
    const refused = Object.fromEntries(
      result.judged.flatMap(({ label, judgement }) =>
        judgement.kind === "refused" ? [[label, judgement.message.split(":")[0]]] : [],
      ),
    );
    expect(refused).toEqual({});
    expect(result.accepted).toBe(result.judged.length);
    console.log(`[gate] ${version}: project examples ${result.accepted} accepted, ${result.refused} refused`);
  });

  it("accepts every config written for ToolHive's examples, or refuses the spec naming the field", async () => {
    const result = await judgeAll(version, snapshotsIn(toolhiveExamples));
    expect(result.rejects).toEqual([]);
    // Every one gets a config the runtime accepts, but those the runtime itself refuses, refused at the field.
    const refused = Object.fromEntries(
      result.judged.flatMap(({ label, judgement }) =>
        judgement.kind === "refused" ? [[label, judgement.message.split(": ")[0]]] : [],
      ),
    );
    expect(refused).toEqual(INVALID_UPSTREAM);
    for (const label of OIDC_EXAMPLES)
      expect(result.judged.find((j) => j.label === label)?.judgement.kind, label).toBe("accepted");
    expect(result.accepted).toBe(result.judged.length - Object.keys(INVALID_UPSTREAM).length);
    console.log(
      `[gate] ${version}: ToolHive's examples ${result.accepted} accepted, ${result.refused} refused`,
    );
  });

  it("writes the composite tools of the VirtualMCPCompositeToolDefinitions ToolHive's examples reference", async () => {
    const files = readManifests(toolhiveExamples).filter(({ file }) => /composite_tool_/.test(file));
    expect(files.map(({ file }) => file.split("/").pop()).sort()).toEqual([
      "composite_tool_complex.yaml",
      "composite_tool_simple.yaml",
      "composite_tool_with_elicitations.yaml",
    ]);
    for (const { file, docs } of files) {
      const defined = docs
        .filter((d) => d.kind === "VirtualMCPCompositeToolDefinition")
        .map((d) => d.spec?.name);
      expect(defined.length, file).toBeGreaterThan(0);
      for (const { label, judgement } of (await judgeAll(version, snapshotsOf(file, docs))).judged) {
        if (INVALID_UPSTREAM[label]) {
          expect(judgement.kind === "refused" && judgement.message, label).toContain(
            `${INVALID_UPSTREAM[label]}: VirtualMCPCompositeToolDefinition "interactive-deploy" is invalid: spec.steps[3].onError.retryCount`,
          );
          continue;
        }
        expect(judgement.kind, label).toBe("accepted");
        const config = parse(judgement.kind === "accepted" ? judgement.config : "");
        const written = (config.compositeTools ?? []).map((t: { name: string }) => t.name);
        expect(written, label).toEqual(expect.arrayContaining(defined));
        expect(config.compositeToolRefs, label).toBeUndefined();
      }
    }
  });

  it("writes the telemetry of the MCPTelemetryConfig ToolHive's example references", async () => {
    const [example] = readManifests(toolhiveExamples).filter(({ file }) =>
      file.endsWith("vmcp_with_telemetry_ref.yaml"),
    );
    const judged = (await judgeAll(version, snapshotsOf("vmcp_with_telemetry_ref.yaml", example?.docs ?? [])))
      .judged;
    expect(judged.map((j) => j.judgement.kind)).toEqual(["accepted"]);
    const judgement = judged[0]?.judgement;
    const config = parse(judgement?.kind === "accepted" ? judgement.config : "");
    expect(config.telemetry).toMatchObject({
      serviceName: "telemetry-demo-vmcp",
      tracingEnabled: true,
      metricsEnabled: true,
      samplingRate: "0.1",
      enablePrometheusMetricsPath: true,
    });
  });

  it("serves ToolHive's MCPServerEntry examples with the entries as backends of type entry", async () => {
    const files = readManifests(join(toolhiveExamples, "mcp-server-entries"));
    const mixed = files.find((f) => f.file === "mcpserverentry_mixed_group.yaml");
    const standalone = files.filter((f) => f !== mixed).flatMap((f) => f.docs);
    const accepted = async (input: Labelled | undefined) => {
      const judgement = await judge(version, input?.snapshot ?? ({} as Labelled["snapshot"]));
      if (judgement.kind !== "accepted") throw new Error(`${input?.label}: ${JSON.stringify(judgement)}`);
      return parse(judgement.config) as { backends: StaticBackend[]; outgoingAuth: Record<string, any> };
    };

    // The local MCPServer and the remote entry behind one VirtualMCPServer.
    const eng = await accepted(snapshotsOf(mixed?.file ?? "", mixed?.docs ?? [])[0]);
    expect(eng.backends.map((b) => b.name)).toEqual(["context7", "github-mcp"]);
    expect(eng.backends[0]).toMatchObject({
      type: "entry",
      url: "https://mcp.context7.com/mcp",
      transport: "streamable-http",
    });
    expect(eng.backends[1]?.type).toBeUndefined();

    // Every standalone entry: plain, with a CA bundle, with forwarded headers, with token exchange.
    const remote = await accepted(snapshotsOf("standalone entries", [...standalone, OVER_REMOTE_TOOLS])[0]);
    expect(remote.backends.map((b) => [b.name, b.type, b.transport])).toEqual([
      ["context7", "entry", "streamable-http"],
      ["internal-api", "entry", "sse"],
      ["internal-mcp", "entry", "streamable-http"],
      ["salesforce-mcp", "entry", "streamable-http"],
    ]);
    expect(remote.backends.find((b) => b.name === "internal-mcp")?.caBundlePath).toBe(
      "/etc/toolhive/ca-bundles/internal-mcp/ca.crt",
    );
    expect(remote.outgoingAuth.backends["salesforce-mcp"]).toMatchObject({
      type: "token_exchange",
      tokenExchange: { clientSecretEnv: "TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_SALESFORCE_AUTH" },
    });
  });
});
