// An MCPOIDCConfig's spec read into a provider, or refused at its own field with the fix: the checks of
// ToolHive's MCPOIDCConfig controller, CRD and resolver, plus what the runtime or the pod would refuse.

import { describe, expect, it } from "vitest";
import { readProvider } from "../../../functions/core/references/oidc-config-spec.ts";

type Spec = Record<string, unknown>;

describe("an MCPOIDCConfig's spec, checked as ToolHive's MCPOIDCConfig controller checks it", () => {
  const problems = (spec: Spec) => {
    const reading = readProvider(spec);
    return reading.ok ? [] : reading.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it.each([
    [{}, 'spec.type: required; "inline"'],
    [{ type: "oauth" }, 'spec.type: unsupported value "oauth"; "inline" or "kubernetesServiceAccount"'],
    [{ type: "inline" }, "spec.inline: required when type is inline"],
    [
      { type: "inline", inline: { issuer: "https://a" }, kubernetesServiceAccount: {} },
      "spec.kubernetesServiceAccount: set, but type is inline; remove it or change the type",
    ],
    [
      { type: "kubernetesServiceAccount", kubernetesServiceAccount: "yes" },
      "spec.kubernetesServiceAccount: must be an object",
    ],
    [{ type: "inline", inline: {} }, "spec.inline.issuer: required; the OIDC issuer URL"],
    [{ type: "inline", inline: { issuer: "auth.example.com" } }, "is not a URL with a scheme and a host"],
    [{ type: "inline", inline: { issuer: "ftp://auth.example.com" } }, 'has the unsupported scheme "ftp"'],
    [
      { type: "inline", inline: { issuer: "https://a", jwksUrl: "http://a/jwks" } },
      'spec.inline.jwksUrl: "http://a/jwks" uses http',
    ],
    [
      { type: "inline", inline: { issuer: "https://a", clientId: 7 } },
      "spec.inline.clientId: must be a string",
    ],
    [
      { type: "inline", inline: { issuer: "https://a", insecureAllowHTTP: "yes" } },
      "spec.inline.insecureAllowHTTP: must be true or false",
    ],
    [
      { type: "inline", inline: { issuer: "https://a", clientSecretRef: { name: "s" } } },
      "spec.inline.clientSecretRef.key: required",
    ],
    [
      { type: "inline", inline: { issuer: "https://a", caBundleRef: {} } },
      "spec.inline.caBundleRef.configMapRef: required when caBundleRef is set",
    ],
    [
      {
        type: "inline",
        inline: { issuer: "https://a", caBundleRef: { configMapRef: { name: "c".repeat(49) } } },
      },
      "cannot name the pod's volume oidc-ca-bundle-<name>; use a ConfigMap whose name has at most 48",
    ],
    [
      {
        type: "inline",
        inline: { issuer: "https://a", caBundleRef: { configMapRef: { name: "ca", key: "a..pem" } } },
      },
      'spec.inline.caBundleRef.configMapRef.key: "a..pem" cannot be mounted as the CA bundle file',
    ],
  ])("%j is refused: %s", (spec, message) => {
    expect(problems(spec).join("; ")).toContain(message);
  });

  it("names each problem once", () => {
    expect(problems({ type: "inline", inline: { issuer: 5 } })).toEqual([
      "spec.inline.issuer: must be a string",
    ]);
  });

  it("accepts the key's default and a CA ConfigMap name of 48 characters", () => {
    const reading = readProvider({
      type: "inline",
      inline: { issuer: "https://a", caBundleRef: { configMapRef: { name: "c".repeat(48) } } },
    });
    expect(reading.ok && reading.provider.caBundle).toEqual({ configMap: "c".repeat(48), key: "ca.crt" });
  });
});
