// The bearer token EKS accepts for an IAM identity: "k8s-aws-v1." + base64url (unpadded) of a presigned
// STS GetCallerIdentity URL that signs the x-k8s-aws-id header with the cluster's name. Valid 15 minutes
// from signing; the cache hands out a fresh one a minute before that.
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface EksTokenInput {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly signingDate?: Date;
  /** The STS host; regional by default. */
  readonly stsHost?: string;
}

export interface EksToken {
  readonly token: string;
  readonly expiresAt: Date;
}

const TOKEN_LIFETIME_MS = 15 * 60_000;
const REFRESH_MARGIN_MS = 60_000;

export async function eksToken(input: EksTokenInput): Promise<EksToken> {
  const host = input.stsHost ?? `sts.${input.region}.amazonaws.com`;
  const signingDate = input.signingDate ?? new Date();
  const signer = new SignatureV4({
    service: "sts",
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
  });
  const request = new HttpRequest({
    protocol: "https:",
    hostname: host,
    method: "GET",
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host, "x-k8s-aws-id": input.clusterName },
  });
  const presigned = await signer.presign(request, { expiresIn: 60, signingDate });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(presigned.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(key, item);
  }
  const url = `https://${host}/?${query.toString()}`;
  return {
    token: `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`,
    expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS),
  };
}

/** One token per container, renewed before it runs out. */
export class EksTokenCache {
  #current: EksToken | undefined;
  readonly #input: Omit<EksTokenInput, "credentials" | "signingDate">;
  readonly #credentials: () => Promise<AwsCredentials>;
  readonly #now: () => number;

  constructor(
    input: Omit<EksTokenInput, "credentials" | "signingDate">,
    credentials: () => Promise<AwsCredentials>,
    now = Date.now,
  ) {
    this.#input = input;
    this.#credentials = credentials;
    this.#now = now;
  }

  async token(): Promise<string> {
    if (!this.#current || this.#current.expiresAt.getTime() - this.#now() < REFRESH_MARGIN_MS) {
      this.#current = await eksToken({
        ...this.#input,
        credentials: await this.#credentials(),
        signingDate: new Date(this.#now()),
      });
    }
    return this.#current.token;
  }
}
