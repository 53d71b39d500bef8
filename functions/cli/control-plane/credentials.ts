// Secrets of one local control plane: the admin bearer token and the service-account signing key.
// Generated fresh for every control plane and kept only in its directory (mode 0600).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Layout } from "./layout.ts";

export const ADMIN_USER = "vmcp-lambda-admin";

export async function writeCredentials(files: Layout): Promise<{ token: string }> {
  const token = randomBytes(32).toString("hex");
  // token,user,uid,"groups" — system:masters makes this identity the cluster admin.
  await writeFile(files.tokenFile, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, {
    mode: 0o600,
  });
  const { privateKey } = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "sec1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  await writeFile(files.serviceAccountKey, privateKey, { mode: 0o600 });
  return { token };
}
