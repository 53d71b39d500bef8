// The EKS bearer token: its documented shape, and a presigned GetCallerIdentity that the emulator's STS
// verifies and answers, as EKS's authenticator does with AWS STS.
import { request } from "node:https";
import { describe, expect, inject, it } from "vitest";
import { eksToken } from "../../functions/lambda/eks-token.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../infra/local/aws-stack/aws-target.ts";

function get(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ca: inject("awsCaPem") || undefined }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

describe("EKS token", () => {
  it("has the shape EKS expects and verifies against the emulator's STS", async () => {
    const endpoint = new URL(inject("awsEndpoint"));
    const { token, expiresAt } = await eksToken({
      clusterName: "platform",
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      stsHost: endpoint.host,
    });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/); // base64url, unpadded
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["host", "x-k8s-aws-id"]);
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^test\/\d{8}\/us-east-1\/sts\/aws4_request$/);

    const answer = await get(url, { "x-k8s-aws-id": "platform" });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain("<GetCallerIdentityResponse");
    expect(answer.body).toMatch(/<Arn>arn:aws:(iam|sts)::\d{12}:[^<]+<\/Arn>/);
  });
});
