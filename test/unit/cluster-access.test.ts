// How a function's environment describes its way to the API server, and the KubeConfig built from it.
import { describe, expect, it } from "vitest";
import { ClusterAccessSettings, kubeConfigWith } from "../../functions/kube/cluster-access.ts";

const CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString(
  "base64",
);
const SERVER = "https://4F2A9C1E.gr7.eu-west-1.eks.amazonaws.com";

const eks = {
  KUBE_SERVER: SERVER,
  KUBE_CA_DATA: CA_DATA,
  KUBE_AUTH: "eks",
  KUBE_CLUSTER_NAME: "tools-prod",
  AWS_REGION: "eu-west-1",
};

const messages = (env: Record<string, unknown>) => {
  const parsed = ClusterAccessSettings.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe("ClusterAccessSettings", () => {
  it("accepts EKS settings as they are, ignoring the rest of the environment", () => {
    expect(
      ClusterAccessSettings.parse({ ...eks, PATH: "/usr/bin", AWS_LAMBDA_FUNCTION_NAME: "reconcile" }),
    ).toEqual(eks);
  });

  it("accepts token settings that name the SSM parameter", () => {
    const settings = ClusterAccessSettings.parse({
      KUBE_SERVER: "https://127.0.0.1:6443",
      KUBE_CA_DATA: CA_DATA,
      KUBE_AUTH: "token",
      KUBE_TOKEN_PARAMETER: "/vmcp-lambda/kube-token",
    });
    expect(settings).toMatchObject({ KUBE_AUTH: "token", KUBE_TOKEN_PARAMETER: "/vmcp-lambda/kube-token" });
  });

  it("defaults KUBE_AUTH to eks and the region to us-east-1", () => {
    const settings = ClusterAccessSettings.parse({
      KUBE_SERVER: SERVER,
      KUBE_CA_DATA: CA_DATA,
      KUBE_CLUSTER_NAME: "tools-prod",
    });
    expect(settings.KUBE_AUTH).toBe("eks");
    expect(settings.AWS_REGION).toBe("us-east-1");
  });

  it("refuses EKS without a cluster name, naming KUBE_CLUSTER_NAME", () => {
    const { KUBE_CLUSTER_NAME: _name, ...withoutName } = eks;
    const issues = messages(withoutName);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^KUBE_CLUSTER_NAME: /);
    expect(messages({ ...eks, KUBE_CLUSTER_NAME: "" })[0]).toMatch(/^KUBE_CLUSTER_NAME: /);
    const { KUBE_AUTH: _auth, ...defaulted } = withoutName;
    expect(messages(defaulted)[0]).toMatch(/^KUBE_CLUSTER_NAME: /);
  });

  it("refuses token auth without the parameter, naming KUBE_TOKEN_PARAMETER", () => {
    const issues = messages({ ...eks, KUBE_AUTH: "token" });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^KUBE_TOKEN_PARAMETER: /);
  });

  it("refuses an http:// server, naming KUBE_SERVER", () => {
    const issues = messages({ ...eks, KUBE_SERVER: "http://4F2A9C1E.gr7.eu-west-1.eks.amazonaws.com" });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^KUBE_SERVER: /);
    expect(messages({ ...eks, KUBE_SERVER: "not a url" })[0]).toMatch(/^KUBE_SERVER: /);
  });

  it("refuses an empty CA, naming KUBE_CA_DATA", () => {
    const empty = messages({ ...eks, KUBE_CA_DATA: "" });
    expect(empty).toHaveLength(1);
    expect(empty[0]).toMatch(/^KUBE_CA_DATA: /);
  });

  it("refuses a missing CA or server, the message naming the variable", () => {
    const { KUBE_CA_DATA: _ca, ...withoutCa } = eks;
    const { KUBE_SERVER: _server, ...withoutServer } = eks;
    // clusterAccessFromEnv reports only the messages, not the paths: the message must say which.
    expect(messages(withoutServer)).toEqual([expect.stringMatching(/^KUBE_SERVER: /)]);
    expect(messages(withoutCa)).toEqual([expect.stringMatching(/^KUBE_CA_DATA: /)]);
  });

  it("refuses an auth method other than eks or token", () => {
    const parsed = ClusterAccessSettings.safeParse({ ...eks, KUBE_AUTH: "kubeconfig" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["KUBE_AUTH"]);
  });
});

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
