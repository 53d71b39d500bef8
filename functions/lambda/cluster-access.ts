// How a function reaches the API server: endpoint and CA from its configuration, and a bearer token that
// is either EKS's IAM token (in AWS) or a static token kept in SSM Parameter Store (the local stack, or a
// cluster without IAM authentication). One KubeConfig per token, so a renewed token means a new one.
import { KubeConfig } from "@kubernetes/client-node";
import { type AwsCredentials, EksTokenCache } from "./eks-token.ts";
import { secureParameter } from "./secure-parameter.ts";
import type { ClusterAccess } from "./settings.ts";

function fromEnvironmentCredentials(): AwsCredentials {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) throw new Error("no AWS credentials in the environment");
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN,
  };
}

export function kubeConfigWith(server: string, caData: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "cluster", server, caData, skipTLSVerify: false }],
    users: [{ name: "functions", token }],
    contexts: [{ name: "functions", cluster: "cluster", user: "functions" }],
    currentContext: "functions",
  });
  return kc;
}

/** A source of KubeConfigs for the container's lifetime; call it once per invocation. */
export function clusterAccess(settings: ClusterAccess): () => Promise<KubeConfig> {
  const { auth } = settings;
  const tokens =
    auth.method === "eks"
      ? new EksTokenCache({ clusterName: auth.clusterName, region: auth.region }, async () =>
          fromEnvironmentCredentials(),
        )
      : // Cached for five minutes, so a rotated token is picked up without a cold start.
        { token: () => secureParameter(auth.parameter, 300) };
  let current: { token: string; kc: KubeConfig } | undefined;
  return async () => {
    const token = await tokens.token();
    if (current?.token !== token)
      current = { token, kc: kubeConfigWith(settings.server, settings.caData, token) };
    return current.kc;
  };
}
