// The EKS token checked offline against the rules aws-iam-authenticator verifies.
import { describe, expect, it } from "vitest";
import { EksTokenCache, eksToken } from "../../functions/lambda/eks-token.ts";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session",
};
const ALLOWED = [
  "action",
  "version",
  "x-amz-algorithm",
  "x-amz-credential",
  "x-amz-date",
  "x-amz-expires",
  "x-amz-security-token",
  "x-amz-signature",
  "x-amz-signedheaders",
];

const decode = (token: string) =>
  new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());

describe("eksToken", () => {
  it("is a presigned STS GetCallerIdentity URL that signs the cluster header", async () => {
    const { token, expiresAt } = await eksToken({
      clusterName: "prod",
      region: "eu-west-1",
      credentials,
      signingDate: new Date("2026-11-24T10:00:00Z"),
    });
    expect(token.startsWith("k8s-aws-v1.")).toBe(true);
    expect(token).not.toMatch(/[=+/]/);
    expect(token.length).toBeLessThan(4096);
    const url = decode(token);
    expect([url.protocol, url.host, url.pathname]).toEqual(["https:", "sts.eu-west-1.amazonaws.com", "/"]);
    const params = Object.fromEntries(url.searchParams);
    for (const key of Object.keys(params)) expect(ALLOWED).toContain(key.toLowerCase());
    expect(params).toMatchObject({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLE/20261124/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20261124T100000Z",
      "X-Amz-Expires": "60",
      "X-Amz-Security-Token": "session",
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
    });
    expect(params["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(expiresAt.toISOString()).toBe("2026-11-24T10:15:00.000Z");
  });

  it("signs differently for another cluster, and the same for the same input", async () => {
    const at = new Date("2026-11-24T10:00:00Z");
    const a = await eksToken({ clusterName: "a", region: "us-east-1", credentials, signingDate: at });
    const b = await eksToken({ clusterName: "b", region: "us-east-1", credentials, signingDate: at });
    expect(a.token).not.toBe(b.token);
    expect(
      (await eksToken({ clusterName: "a", region: "us-east-1", credentials, signingDate: at })).token,
    ).toBe(a.token);
  });
});

describe("EksTokenCache", () => {
  it("reuses a token until a minute before it expires, then signs a new one", async () => {
    let now = Date.parse("2026-11-24T10:00:00Z");
    let fetched = 0;
    const cache = new EksTokenCache(
      { clusterName: "prod", region: "us-east-1" },
      async () => {
        fetched += 1;
        return credentials;
      },
      () => now,
    );
    const first = await cache.token();
    now += 13 * 60_000;
    expect(await cache.token()).toBe(first);
    now += 61_000;
    expect(await cache.token()).not.toBe(first);
    expect(fetched).toBe(2);
  });
});
