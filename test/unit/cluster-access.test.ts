// The KubeConfig built from a function's way to the API server (its settings: lambda-settings.test.ts).
import { describe, expect, it } from "vitest";
import { kubeConfigWith } from "../../functions/lambda/cluster-access.ts";

const CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString(
  "base64",
);
const SERVER = "https://4F2A9C1E.gr7.eu-west-1.eks.amazonaws.com";

describe("kubeConfigWith", () => {
  it("makes the given server, CA and token current", () => {
    const kc = kubeConfigWith(SERVER, CA_DATA, "k8s-aws-v1.aHR0cHM6Ly9zdHM");
    expect(kc.getCurrentCluster()).toMatchObject({ server: SERVER, caData: CA_DATA, skipTLSVerify: false });
    expect(kc.getCurrentUser()?.token).toBe("k8s-aws-v1.aHR0cHM6Ly9zdHM");
    expect(kc.getCurrentContext()).toBe("functions");
  });

  it("builds a separate config per token", () => {
    const first = kubeConfigWith(SERVER, CA_DATA, "token-one");
    const second = kubeConfigWith("https://10.0.0.1:6443", CA_DATA, "token-two");
    expect(first.getCurrentUser()?.token).toBe("token-one");
    expect(second.getCurrentUser()?.token).toBe("token-two");
    expect(first.getCurrentCluster()?.server).toBe(SERVER);
    expect(second.getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
  });
});
