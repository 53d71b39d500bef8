// A throwaway CA and a serving certificate for 127.0.0.1: for the webhook server the real API server calls in
// tests, and for the local AWS emulator's HTTPS gateway. Go checks the IP SAN, not the CN.
import "reflect-metadata"; // @peculiar/x509 needs it loaded first.
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(
  webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>,
);
type KeyPair = x509.X509CertificateCreateSelfSignedParams["keys"];
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function pkcs8Pem(key: KeyPair["privateKey"]): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as unknown as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)
    ?.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

const newKeyPair = async () =>
  (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as unknown as KeyPair;

export async function servingCertificate(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = new Date(Date.now() - 60_000);
  const later = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await newKeyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=vmcp-lambda test CA",
    notBefore: now,
    notAfter: later,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const leafKeys = await newKeyPair();
  const leaf = await x509.X509CertificateGenerator.create({
    subject: "CN=127.0.0.1",
    issuer: ca.subject,
    notBefore: now,
    notAfter: later,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "localhost" },
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  return {
    caPem: ca.toString("pem"),
    certPem: leaf.toString("pem"),
    keyPem: await pkcs8Pem(leafKeys.privateKey),
  };
}
