// Admission, in process: time per review of validate and mutate for a typical VirtualMCPServer, with the
// cross-object lookups answered by a real control plane, and with them answered in memory; against the
// floor of the same run, JSON.parse + JSON.stringify of the same review (what any webhook must do).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type AdmitDeps, admit, type WebhookPath } from "../functions/admission/admit.ts";
import { RecordingPublisher } from "../functions/admission/hints.ts";
import { lookUp } from "../functions/admission/lookups.ts";
import type { AdmissionRequest } from "../functions/core/admission/review.ts";
import type { Lookups } from "../functions/core/admission/validate.ts";
import { createObject } from "../functions/kube/api.ts";
import { ensureBinaries } from "../infra/local/control-plane/binaries.ts";
import { down, up } from "../infra/local/control-plane/plane.ts";
import { admissionReview } from "../infra/local/test-kit/admission-review.ts";
import {
  mcpExternalAuthConfig,
  mcpGroup,
  virtualMCPServer,
} from "../infra/local/test-kit/toolhive-objects.ts";
import type { Benchmark, Target } from "./section.ts";
import { fmt, type Summary, summarize } from "./stats.ts";

const NAMESPACE = "bench";

/** A static-mode VirtualMCPServer with two referenced auth configs, as platform teams write them. */
const body = JSON.stringify(
  admissionReview(
    "VirtualMCPServer",
    virtualMCPServer("shop", {
      namespace: NAMESPACE,
      group: "shop-tools",
      spec: {
        outgoingAuth: {
          source: "inline",
          default: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "corporate" } },
          backends: {
            weather: { type: "externalAuthConfigRef", externalAuthConfigRef: { name: "weather-key" } },
          },
        },
        config: { aggregation: { conflictResolution: "prefix" } },
      },
    }),
  ),
);

async function seed(kc: KubeConfig): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  await createObject(kc, "MCPGroup", NAMESPACE, mcpGroup("shop-tools", { namespace: NAMESPACE }));
  for (const [name, spec] of [
    [
      "corporate",
      { type: "tokenExchange", tokenExchange: { tokenUrl: "https://idp.example/token", audience: "a" } },
    ],
    [
      "weather-key",
      {
        type: "headerInjection",
        headerInjection: { headerName: "X-Api-Key", valueSecretRef: { name: "weather", key: "api-key" } },
      },
    ],
  ] as const)
    await createObject(
      kc,
      "MCPExternalAuthConfig",
      NAMESPACE,
      mcpExternalAuthConfig(name, { namespace: NAMESPACE, spec }),
    );
}

type Step = () => Promise<unknown> | unknown;

/** Times `steps` round-robin, `rounds` times each after a warm-up, so drift hits all of them alike. */
async function interleaved(steps: Record<string, Step>, rounds: number): Promise<Record<string, Summary>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  for (let round = -Math.ceil(rounds / 10); round < rounds; round += 1)
    for (const [name, step] of Object.entries(steps)) {
      const started = performance.now();
      await step();
      if (round >= 0) samples[name]?.push(performance.now() - started);
    }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, summarize(s)]));
}

function through(webhook: WebhookPath, deps: AdmitDeps): Step {
  return async () => {
    const result = await admit(JSON.parse(body), webhook, deps);
    if (result.status !== 200 || !result.review.response.allowed)
      throw new Error(`the bench review was not admitted: ${JSON.stringify(result)}`);
    return JSON.stringify(result.review);
  };
}

export const admission: Benchmark = async ({ quick, log }) => {
  const dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-bench-admission-"));
  const plane = await up({ dir, binaries: await ensureBinaries() });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    await seed(kc);
    const answered: Lookups = await lookUp(kc, (JSON.parse(body) as { request: AdmissionRequest }).request);
    const deps = (lookups: AdmitDeps["lookUp"]): AdmitDeps => ({
      lookUp: lookups,
      publisher: new RecordingPublisher(),
      failOpen: false,
    });
    const inMemory = deps(async () => answered);
    const rounds = quick ? 3_000 : 30_000;
    log(`admission: ${rounds} reviews per path without lookups`);
    const local = await interleaved(
      {
        floor: () => JSON.stringify(JSON.parse(body)),
        validate: through("validate", inMemory),
        mutate: through("mutate", inMemory),
      },
      rounds,
    );
    const withApi = quick ? 100 : 1_000;
    log(`admission: ${withApi} validations with lookups against the control plane`);
    const remote = await interleaved(
      {
        validateWithLookups: through(
          "validate",
          deps((request) => lookUp(kc, request)),
        ),
      },
      withApi,
    );
    const floor = local.floor as Summary;
    const ratio = (s: Summary) => s.p99 / floor.p99;
    const row = (name: string, s: Summary) =>
      `| ${name} | ${s.n} | ${fmt(s.p50 * 1000, " µs")} | ${fmt(s.p99 * 1000, " µs")} | ${fmt(s.p99 / floor.p99)}× |`;
    const targets: Target[] = (["validate", "mutate"] as const).map((name) => {
      const s = local[name] as Summary;
      return {
        name: `admission ${name}, lookups excluded`,
        target: "p99 ≤ 3× the JSON floor's p99",
        measured: `${fmt(ratio(s))}× (${fmt(s.p99 * 1000, " µs")} vs ${fmt(floor.p99 * 1000, " µs")})`,
        met: ratio(s) <= 3,
      };
    });
    const review = JSON.parse(body);
    return {
      id: "admission",
      title: "Admission, in process",
      figures: { reviewBytes: body.length, ...local, ...remote },
      targets,
      markdown: [
        `One CREATE review of a static-mode VirtualMCPServer (${body.length} bytes: group, two auth-config`,
        "references, aggregation settings) through `admit()`, the code the Lambda handler runs after its HTTP",
        "gate, plus the response's serialisation. The floor is `JSON.parse` + `JSON.stringify` of the same",
        "review, measured in the same run, interleaved with the others.",
        "",
        "| path | reviews | p50 | p99 | p99 vs floor |",
        "|---|---|---|---|---|",
        row("floor: JSON.parse + JSON.stringify", floor),
        row("validate, lookups in memory", local.validate as Summary),
        row("mutate (no lookups)", local.mutate as Summary),
        row("validate, lookups against the control plane", remote.validateWithLookups as Summary),
        "",
        `With lookups, validation asks the API server whether group \`${review.request.object.spec.groupRef.name}\``,
        "and the two auth configs exist (three GETs in parallel, over HTTPS on loopback); that dominates it.",
      ].join("\n"),
    };
  } finally {
    await down({ dir });
  }
};
