// The functions' requests against an API server that throttles, fails, stalls and drops connections (a fault
// proxy on loopback in front of the real one): bounded retries with backoff, Retry-After honoured,
// answers that are not faults never retried, and the reconcile converging once the faults pass.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getObject, setRequestDeadline } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";
import { type FaultProxy, faultProxy } from "./fault-proxy.ts";
import { namespaceState } from "./namespace-state.ts";

const namespace = useNamespace("faults");
// The same objects, reconciled without faults: where the faulty run must end.
const twin = useNamespace("calm");
const options = { image: "example/vmcp:v0.47.0", now: () => new Date("2026-11-24T00:00:00Z") };
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await faultProxy(kubeConfig());
  for (const ns of [namespace.name, twin.name])
    await userApply(kubeConfig(), ns, mcpGroup("tools"), virtualMCPServer("flaky", { group: "tools" }));
});
// A failed test must not leave its deadline to the next one.
afterEach(() => setRequestDeadline(undefined));
afterAll(async () => {
  await proxy.close();
});

describe("API-server faults", () => {
  it("retries 429 after its Retry-After, 5xx and dropped connections, then succeeds", async () => {
    proxy.script([{ status: 429, retryAfter: "1" }, { status: 503 }, { drop: true }]);
    const started = Date.now();
    const vmcp = await getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky");
    expect(vmcp).toMatchObject({ metadata: { name: "flaky" } });
    expect(proxy.seen.map((s) => s.fault)).toEqual([
      JSON.stringify({ status: 429, retryAfter: "1" }),
      JSON.stringify({ status: 503 }),
      JSON.stringify({ drop: true }),
      '"pass"',
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // Retry-After: 1 was waited for
  });

  it("gives up after four tries of a persistent 503, with the API server's message", async () => {
    proxy.script(Array.from({ length: 10 }, () => ({ status: 503 })));
    await expect(getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky")).rejects.toThrow(
      /GET .*virtualmcpservers\/flaky: injected/,
    );
    expect(proxy.seen).toHaveLength(4);
  });

  it("does not retry an answer (403) and does not wait past the deadline", async () => {
    proxy.script([{ status: 403 }]);
    await expect(getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky")).rejects.toThrow(
      /injected/,
    );
    expect(proxy.seen).toHaveLength(1);

    setRequestDeadline(Date.now() + 2_000);
    proxy.script([{ status: 429, retryAfter: "30" }]);
    const started = Date.now();
    await expect(getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky")).rejects.toThrow(
      /injected/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("waits for a slow answer that comes in time, and cuts one off at the deadline", async () => {
    proxy.script([{ delayMs: 500 }]);
    expect(await getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky")).toBeDefined();

    setRequestDeadline(Date.now() + 1_500);
    proxy.script([{ delayMs: 8_000 }]);
    const started = Date.now();
    await expect(getObject(proxy.kc, "VirtualMCPServer", namespace.name, "flaky")).rejects.toThrow(
      /timed out/,
    );
    // Not the 10 s a single request may otherwise take: the invocation's deadline bounds it.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("a reconcile through intermittent faults converges to the same children as without them", async () => {
    proxy.script([
      { status: 500 },
      "pass",
      { drop: true },
      "pass",
      { status: 429, retryAfter: "0" },
      { status: 502 },
    ]);
    const result = await reconcileOne(proxy.kc, namespace.name, "flaky", options);
    expect(result.outcome).toBe("ok");
    expect(proxy.seen.filter((s) => s.fault !== '"pass"')).toHaveLength(4);
    await reconcileOne(kubeConfig(), twin.name, "flaky", options);
    expect(await namespaceState(kubeConfig(), namespace.name)).toEqual(
      await namespaceState(kubeConfig(), twin.name),
    );
    // Nothing left to do: the faults changed nothing that a fault-free reconcile would not have written.
    const again = await reconcileOne(kubeConfig(), namespace.name, "flaky", options);
    expect(again.written).toEqual([]);
  });
});
