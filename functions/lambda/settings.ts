// What a function's environment says about reaching the API server, checked when the function starts. Apart
// from cluster-access.ts so that checking it does not load client-node: the admission function checks it on
// every cold start but needs a KubeConfig only for the validating webhook's lookups.
// zod/mini for the same reason: classic zod's load time is felt on every cold start (BENCHMARKS.md).
import * as z from "zod/mini";

const CA_DATA = "KUBE_CA_DATA: the base64 PEM of the cluster's CA";

export const ClusterAccessSettings = z
  .object({
    KUBE_SERVER: z.url({ protocol: /^https$/, error: "KUBE_SERVER: the API server's https:// URL" }),
    KUBE_CA_DATA: z.string({ error: CA_DATA }).check(z.minLength(1, CA_DATA)),
    KUBE_AUTH: z._default(z.enum(["eks", "token"]), "eks"),
    KUBE_CLUSTER_NAME: z.optional(z.string()),
    KUBE_TOKEN_PARAMETER: z.optional(z.string()),
    AWS_REGION: z._default(z.string(), "us-east-1"),
  })
  .check(
    z.refine((s) => s.KUBE_AUTH !== "eks" || Boolean(s.KUBE_CLUSTER_NAME), {
      error: "KUBE_CLUSTER_NAME: the EKS cluster's name, needed for KUBE_AUTH=eks",
    }),
    z.refine((s) => s.KUBE_AUTH !== "token" || Boolean(s.KUBE_TOKEN_PARAMETER), {
      error: "KUBE_TOKEN_PARAMETER: the SSM SecureString holding the token, needed for KUBE_AUTH=token",
    }),
  );
export type ClusterAccessSettings = z.infer<typeof ClusterAccessSettings>;

/** The settings, or an error naming every variable that is missing or wrong. */
export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv): ClusterAccessSettings {
  const parsed = ClusterAccessSettings.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `cluster access is misconfigured: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  return parsed.data;
}
