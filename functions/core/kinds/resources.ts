// Where each kind the functions touch lives in the API. A fixed table: the functions know their kinds,
// so no discovery request is ever spent on finding them.
const TOOLHIVE = "/apis/toolhive.stacklok.dev/v1beta1";

export const RESOURCES = {
  VirtualMCPServer: {
    base: TOOLHIVE,
    plural: "virtualmcpservers",
    apiVersion: "toolhive.stacklok.dev/v1beta1",
  },
  MCPGroup: { base: TOOLHIVE, plural: "mcpgroups", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  MCPServer: { base: TOOLHIVE, plural: "mcpservers", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  MCPRemoteProxy: { base: TOOLHIVE, plural: "mcpremoteproxies", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  MCPServerEntry: { base: TOOLHIVE, plural: "mcpserverentries", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  MCPExternalAuthConfig: {
    base: TOOLHIVE,
    plural: "mcpexternalauthconfigs",
    apiVersion: "toolhive.stacklok.dev/v1beta1",
  },
  MCPToolConfig: { base: TOOLHIVE, plural: "mcptoolconfigs", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  EmbeddingServer: {
    base: TOOLHIVE,
    plural: "embeddingservers",
    apiVersion: "toolhive.stacklok.dev/v1beta1",
  },
  MCPOIDCConfig: { base: TOOLHIVE, plural: "mcpoidcconfigs", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  MCPTelemetryConfig: {
    base: TOOLHIVE,
    plural: "mcptelemetryconfigs",
    apiVersion: "toolhive.stacklok.dev/v1beta1",
  },
  VirtualMCPCompositeToolDefinition: {
    base: TOOLHIVE,
    plural: "virtualmcpcompositetooldefinitions",
    apiVersion: "toolhive.stacklok.dev/v1beta1",
  },
  MCPAuthzConfig: { base: TOOLHIVE, plural: "mcpauthzconfigs", apiVersion: "toolhive.stacklok.dev/v1beta1" },
  ServiceAccount: { base: "/api/v1", plural: "serviceaccounts", apiVersion: "v1" },
  ConfigMap: { base: "/api/v1", plural: "configmaps", apiVersion: "v1" },
  Service: { base: "/api/v1", plural: "services", apiVersion: "v1" },
  Event: { base: "/api/v1", plural: "events", apiVersion: "v1" },
  Deployment: { base: "/apis/apps/v1", plural: "deployments", apiVersion: "apps/v1" },
  Role: {
    base: "/apis/rbac.authorization.k8s.io/v1",
    plural: "roles",
    apiVersion: "rbac.authorization.k8s.io/v1",
  },
  RoleBinding: {
    base: "/apis/rbac.authorization.k8s.io/v1",
    plural: "rolebindings",
    apiVersion: "rbac.authorization.k8s.io/v1",
  },
  // Cluster-scoped kinds of the install (infra/), applied by the local stack and the tests, never by the
  // functions.
  ClusterRole: {
    base: "/apis/rbac.authorization.k8s.io/v1",
    plural: "clusterroles",
    apiVersion: "rbac.authorization.k8s.io/v1",
  },
  ClusterRoleBinding: {
    base: "/apis/rbac.authorization.k8s.io/v1",
    plural: "clusterrolebindings",
    apiVersion: "rbac.authorization.k8s.io/v1",
  },
  ValidatingWebhookConfiguration: {
    base: "/apis/admissionregistration.k8s.io/v1",
    plural: "validatingwebhookconfigurations",
    apiVersion: "admissionregistration.k8s.io/v1",
  },
  MutatingWebhookConfiguration: {
    base: "/apis/admissionregistration.k8s.io/v1",
    plural: "mutatingwebhookconfigurations",
    apiVersion: "admissionregistration.k8s.io/v1",
  },
} as const;

export type Kind = keyof typeof RESOURCES;

export function isKind(kind: string | undefined): kind is Kind {
  return kind !== undefined && Object.hasOwn(RESOURCES, kind);
}

/** /apis/.../namespaces/<ns>/<plural>[/<name>[/<subresource>]]; without a namespace, across all of them. */
export function resourcePath(kind: Kind, namespace?: string, name?: string, subresource?: string): string {
  const { base, plural } = RESOURCES[kind];
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const object = name ? `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ""}` : "";
  return `${base}${scope}/${plural}${object}`;
}

/** A kind as RBAC rules name it: its API group ("" for the core group) and its plural. */
export function rbacNameOf(kind: Kind): { apiGroup: string; plural: string } {
  const { apiVersion, plural } = RESOURCES[kind];
  return { apiGroup: apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "", plural };
}
