// Resync at scale, on a control plane of its own so that nothing else touches the API server: 200
// VirtualMCPServers in 20 namespaces converge in one resync; the next one writes nothing and reads as
// many pages as a resync of ten objects does.

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHILD_KINDS,
  listedByResync,
  RELATED,
  RELATED_FIELDS,
} from "../../functions/core/reconcile/related-kinds.ts";
import { resyncAll } from "../../functions/resync/resync-all.ts";
import { binaryPaths } from "../../infra/local/control-plane/binaries.ts";
import { down, up } from "../../infra/local/control-plane/plane.ts";
import { countRequests, patchStatus, userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, mcpServer, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";

const NAMESPACES = 20;
const PER_NAMESPACE = 10;
let dir = "";
const kc = new KubeConfig();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vmcp-lambda-scale-"));
  const plane = await up({ dir, ownerPid: process.pid, binaries: binaryPaths() });
  kc.loadFromFile(plane.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(
    Array.from({ length: NAMESPACES }, async (_, n) => {
      const ns = `scale-${n}`;
      await core.createNamespace({ body: { metadata: { name: ns } } });
      await userApply(kc, ns, mcpGroup("g"), mcpServer("backend", { group: "g" }));
      await patchStatus(kc, "MCPServer", ns, "backend", { phase: "Running", url: "http://backend:8080/mcp" });
      for (let i = 0; i < PER_NAMESPACE; i++) {
        // Half static, half dynamic.
        await userApply(
          kc,
          ns,
          virtualMCPServer(`vmcp-${i}`, {
            group: "g",
            spec: { outgoingAuth: { source: i % 2 ? "inline" : "discovered" } },
          }),
        );
      }
    }),
  );
}, 120_000);

afterAll(async () => {
  if (dir) await down({ dir });
});

describe("resync", () => {
  it("converges 200 objects, then makes zero writes and a fixed number of reads", async () => {
    const first = await resyncAll(kc, { image: "example/vmcp:v0.47.0" });
    expect(first).toEqual({
      objects: NAMESPACES * PER_NAMESPACE,
      written: NAMESPACES * PER_NAMESPACE,
      failed: 0,
      deferred: [],
    });

    let summary: Awaited<ReturnType<typeof resyncAll>> | undefined;
    const all = await countRequests(kc, async () => {
      summary = await resyncAll(kc, { image: "example/vmcp:v0.47.0" });
    });
    expect(summary).toEqual({ objects: 200, written: 0, failed: 0, deferred: [] });
    expect(all.writes).toBe(0);
    // One LIST per type: the VirtualMCPServers, each related kind the resync lists and each child kind.
    // Kinds read by name (authorization ConfigMaps) cost nothing here: none of these objects names one.
    const listed = RELATED_FIELDS.filter(listedByResync).flatMap((field) => RELATED[field].kinds);
    expect(all.reads).toBe(1 + listed.length + CHILD_KINDS.length);

    const one = await countRequests(kc, () =>
      resyncAll(kc, { image: "example/vmcp:v0.47.0", namespace: "scale-0" }),
    );
    expect(one).toEqual({ reads: all.reads, writes: 0 });
  }, 120_000);
});
