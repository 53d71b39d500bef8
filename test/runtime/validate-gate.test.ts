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
/** Examples that show a kind the functions do not resolve yet: refused, at this field. */
const AWAITING_OBJECT_MODEL: Record<string, string> = {
  "vmcp_oidc_incoming_auth.yaml#secure-vmcp": "spec.incomingAuth.oidcConfigRef",
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
    // The examples are meant to run: only those awaiting a kind are refused, naming the field.
    const refused = Object.fromEntries(
      result.judged.flatMap(({ label, judgement }) =>
        judgement.kind === "refused" ? [[label, judgement.message.split(":")[0]]] : [],
      ),
    );
    expect(refused).toEqual(AWAITING_OBJECT_MODEL);
    expect(result.accepted).toBeGreaterThanOrEqual(8);
  });

  it("accepts every config written for ToolHive's examples, or refuses the spec naming the field", async () => {
    const result = await judgeAll(version, snapshotsIn(toolhiveExamples));
    expect(result.rejects).toEqual([]);
    // They are valid upstream: the only refusals allowed are for kinds vmcp-lambda does not resolve yet.
    for (const { label, judgement } of result.judged)
      if (judgement.kind === "refused")
        expect(judgement.message, label).toMatch(/^spec\.[A-Za-z.]+: vmcp-lambda does not resolve /);
    expect(result.accepted).toBeGreaterThanOrEqual(7);
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
