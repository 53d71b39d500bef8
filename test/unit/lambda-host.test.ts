// The host the four Lambdas share: it reads the function's settings on the first request and builds the
// handler once; a failure (a misconfigured function, an SSM read that failed) fails that request with its
// message and is not kept. And the one way to make something on first use.
import { afterEach, describe, expect, it, vi } from "vitest";
import { lambdaFunction } from "../../functions/lambda/host.ts";
import { onFirstUse } from "../../functions/lambda/on-first-use.ts";
import { SettingsError } from "../../functions/lambda/settings.ts";
import { lambdaContext } from "../../infra/local/test-kit/lambda.ts";

const ROUTER = {
  KUBE_SERVER: "https://127.0.0.1:6443",
  KUBE_CA_DATA: "Zm9v",
  KUBE_AUTH: "token",
  KUBE_TOKEN_PARAMETER: "/vmcp-lambda/test/kube-token",
  RECONCILE_QUEUE_URL: "https://127.0.0.1:4566/000000000000/reconcile.fifo",
  POWERTOOLS_DEV: "",
  POWERTOOLS_LOG_LEVEL: "SILENT",
};
const KEYS = ["KUBE_SERVER", "KUBE_CA_DATA", "KUBE_AUTH", "KUBE_TOKEN_PARAMETER", "RECONCILE_QUEUE_URL"];

afterEach(() => vi.unstubAllEnvs());

describe("lambdaFunction", () => {
  it("fails each request of a misconfigured function with every problem, and starts once the settings are right", async () => {
    for (const key of KEYS) vi.stubEnv(key, "");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    const start = vi.fn((settings: { queueUrl: string }) => async (event: { n: number }) => ({
      queue: settings.queueUrl,
      n: event.n,
    }));
    const handler = lambdaFunction("router", start);
    const refused = handler({ n: 1 }, lambdaContext());
    await expect(refused).rejects.toBeInstanceOf(SettingsError);
    await expect(refused).rejects.toThrow(
      /^the router function is misconfigured;[\s\S]*KUBE_SERVER: [\s\S]*RECONCILE_QUEUE_URL: /,
    );
    expect(start).not.toHaveBeenCalled();

    for (const [key, value] of Object.entries(ROUTER)) vi.stubEnv(key, value);
    expect(await handler({ n: 2 }, lambdaContext())).toEqual({ queue: ROUTER.RECONCILE_QUEUE_URL, n: 2 });
    expect(await handler({ n: 3 }, lambdaContext())).toEqual({ queue: ROUTER.RECONCILE_QUEUE_URL, n: 3 });
    expect(start).toHaveBeenCalledTimes(1);
  });
});

describe("onFirstUse", () => {
  it("makes the value once and returns the same one after", () => {
    const make = vi.fn(() => ({ client: true }));
    const client = onFirstUse(make);
    expect(client()).toBe(client());
    expect(make).toHaveBeenCalledTimes(1);
  });

  it("keeps a promise, but not one that rejected: the next call tries again", async () => {
    let calls = 0;
    const load = onFirstUse(async () => {
      calls += 1;
      if (calls === 1) throw new Error("unreachable");
      return calls;
    });
    await expect(load()).rejects.toThrow("unreachable");
    expect(await load()).toBe(2);
    expect(await load()).toBe(2);
    expect(calls).toBe(2);
  });
});
