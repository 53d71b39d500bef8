// Secrets of one local control plane: the admin bearer token, the functions' own token (a least-privileged
// identity, as the functions have on EKS through their access entry) and the service-account signing key.
// Generated fresh for every control plane and kept only in its directory (mode 0600).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Layout } from "./layout.ts";

export const ADMIN_USER = "vmcp-lambda-admin";
/** The functions' identity; infra/rbac/functions.yaml binds the group. */
export const FUNCTIONS_USER = "vmcp-lambda-functions";
export const FUNCTIONS_GROUP = "vmcp-lambda:functions";

export async function writeCredentials(files: Layout): Promise<{ token: string }> {
  const token = randomBytes(32).toString("hex");
  const functionsToken = randomBytes(32).toString("hex");
  // token,user,uid,"groups" — system:masters makes the first identity the cluster admin.
  await writeFile(
    files.tokenFile,
    `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n` +
      `${functionsToken},${FUNCTIONS_USER},${FUNCTIONS_USER},"${FUNCTIONS_GROUP}"\n`,
    { mode: 0o600 },
  );
  await writeFile(files.functionsToken, functionsToken, { mode: 0o600 });
  const { privateKey } = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "sec1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  await writeFile(files.serviceAccountKey, privateKey, { mode: 0o600 });
  return { token };
}
