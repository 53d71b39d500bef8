// The children a VirtualMCPServer should have: RBAC for the vMCP pod, its configuration, Deployment and
// Service, named and labelled as ToolHive's operator does. Pure: same input, same objects.

import {
  CONTENT_CHECKSUM,
  childLabels,
  childNames,
  controllerReference,
  RUNCONFIG_CHECKSUM,
  RUNTIME_DISCOVERY_ROLE,
  VMCP_PORT,
  workloadLabels,
} from "../kinds/names.ts";
import type { Mode, VirtualMCPServer } from "../kinds/toolhive.ts";
import { AUTH_SERVER_FILE } from "../runtime/auth-server-run-config.ts";
import { contentChecksum, renderRuntimeConfig } from "../runtime/config.ts";
import type { PodAdditions } from "../runtime/pod-additions.ts";
import { strategicMerge } from "./pod-template-merge.ts";

const CONFIG_DIR = "/etc/vmcp-config";
/** The vMCP image's non-root user, as upstream's operator runs it. */
const RUNTIME_UID = 1000;
/** Upstream's defaults: a Burstable pod that cannot starve its node. podTemplateSpec may override them. */
const RESOURCES = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "512Mi" },
};

export interface Child {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences: ReturnType<typeof controllerReference>[];
  };
  readonly [field: string]: unknown;
}

export interface ChildrenInput {
  readonly vmcp: VirtualMCPServer;
  readonly mode: Mode;
  readonly runtimeConfig: Record<string, unknown>;
  /** Env, secrets and mounted ConfigMaps the resolved spec and its references need (merged, sorted). */
  readonly pod: PodAdditions;
  readonly image: string;
  /** The embedded authorization server's RunConfig, written beside config.yaml when the spec has one. */
  readonly authServerConfig?: Record<string, unknown>;
}

function meta(input: ChildrenInput, name: string, extraLabels: Record<string, string> = {}) {
  const { vmcp } = input;
  return {
    name,
    namespace: vmcp.metadata.namespace ?? "",
    labels: { ...childLabels(vmcp.metadata.name), ...extraLabels },
    ownerReferences: [controllerReference(vmcp)],
  };
}

/**
 * Dynamic mode: what the vMCP runtime does with the API, measured on the runtime itself (its audit trail,
 * test/runtime). This Role holds what is by name: its group, and reading and replacing the status of this
 * one object. What it lists and watches namespace-wide (members, auth configs, Secrets, ConfigMaps) comes
 * from RUNTIME_DISCOVERY_ROLE, bound in this namespace.
 */
function runtimeRules(name: string, group: string) {
  const toolhive = "toolhive.stacklok.dev";
  return [
    { apiGroups: [toolhive], resources: ["mcpgroups"], resourceNames: [group], verbs: ["get"] },
    { apiGroups: [toolhive], resources: ["virtualmcpservers"], resourceNames: [name], verbs: ["get"] },
    {
      apiGroups: [toolhive],
      resources: ["virtualmcpservers/status"],
      resourceNames: [name],
      verbs: ["update"],
    },
  ];
}

/** spec.imagePullSecrets, for the ServiceAccount and the pod alike. */
const pullSecretsOf = (vmcp: VirtualMCPServer) =>
  (vmcp.spec.imagePullSecrets ?? []).filter((s) => s.name).map((s) => ({ name: s.name }));

function rbac(input: ChildrenInput): Child[] {
  const { vmcp, mode } = input;
  if (vmcp.spec.serviceAccount) return [];
  const names = childNames(vmcp.metadata.name);
  const pullSecrets = pullSecretsOf(vmcp);
  const account: Child = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(input, names.serviceAccount),
    // Static mode: the pod needs no API access, so it gets no token at all.
    automountServiceAccountToken: mode === "dynamic",
    ...(pullSecrets.length ? { imagePullSecrets: pullSecrets } : {}),
  };
  if (mode === "static") return [account];
  const role: Child = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(input, names.role),
    rules: runtimeRules(vmcp.metadata.name, String(input.runtimeConfig.groupRef ?? "")),
  };
  const binding: Child = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(input, names.roleBinding),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role },
    subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: vmcp.metadata.namespace }],
  };
  const discovery: Child = {
    ...binding,
    metadata: meta(input, names.discoveryBinding),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: RUNTIME_DISCOVERY_ROLE },
  };
  return [account, role, binding, discovery];
}

function configMap(input: ChildrenInput): Child & { data: Record<string, string> } {
  const name = input.vmcp.metadata.name;
  const labels = {
    ...childLabels(name),
    "toolhive.stacklok.io/component": "vmcp-config",
    "toolhive.stacklok.io/virtual-mcp-server": name,
  };
  // The runtime reads authserver-config.yaml from config.yaml's directory; being in `data`, it is covered
  // by the content checksum, so a change to it rolls the pod as a change to config.yaml does.
  const data: Record<string, string> = { "config.yaml": renderRuntimeConfig(input.runtimeConfig) };
  if (input.authServerConfig) data[AUTH_SERVER_FILE] = renderRuntimeConfig(input.authServerConfig);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      ...meta(input, childNames(name).configMap),
      labels,
      annotations: { [CONTENT_CHECKSUM]: contentChecksum(data, labels, {}) },
    },
    data,
  };
}

function env(input: ChildrenInput) {
  const { vmcp, mode } = input;
  const identity =
    mode === "dynamic"
      ? [
          { name: "VMCP_NAME", value: vmcp.metadata.name },
          { name: "VMCP_NAMESPACE", value: vmcp.metadata.namespace ?? "" },
        ]
      : [];
  const secrets = input.pod.secretEnv.map((e) => ({
    name: e.name,
    valueFrom: { secretKeyRef: { name: e.secret, key: e.key } },
  }));
  const runtime = [
    { name: "XDG_CONFIG_HOME", value: "/tmp" },
    { name: "HOME", value: "/tmp" },
    { name: "TOOLHIVE_RUNTIME", value: "kubernetes" },
    { name: "UNSTRUCTURED_LOGS", value: "false" },
  ];
  return [...identity, ...secrets, ...input.pod.env, ...runtime];
}

function podTemplate(input: ChildrenInput, checksum: string) {
  const { vmcp, mode } = input;
  const name = vmcp.metadata.name;
  const operational = input.runtimeConfig.operational as { logLevel?: string } | undefined;
  const probe = (
    path: string,
    initialDelaySeconds: number,
    periodSeconds: number,
    timeoutSeconds: number,
  ) => ({
    httpGet: { path, port: "http" },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds,
    failureThreshold: 3,
  });
  const pullSecrets = pullSecretsOf(vmcp);
  const generated = {
    metadata: { labels: workloadLabels(name), annotations: { [RUNCONFIG_CHECKSUM]: checksum } },
    spec: {
      serviceAccountName: vmcp.spec.serviceAccount || childNames(name).serviceAccount,
      ...(mode === "static" ? { automountServiceAccountToken: false } : {}),
      ...(pullSecrets.length ? { imagePullSecrets: pullSecrets } : {}),
      containers: [
        {
          name: "vmcp",
          image: input.image,
          imagePullPolicy: "IfNotPresent",
          args: [
            "serve",
            `--config=${CONFIG_DIR}/config.yaml`,
            "--host=0.0.0.0",
            `--port=${VMCP_PORT}`,
            ...(operational?.logLevel === "debug" ? ["--debug"] : []),
          ],
          ports: [{ name: "http", containerPort: VMCP_PORT, protocol: "TCP" }],
          env: env(input),
          // Liveness: the process answers. Readiness: /readyz, which waits for the backend watcher's caches
          // in dynamic mode (/health would admit traffic before any backend is known).
          livenessProbe: probe("/health", 30, 10, 5),
          readinessProbe: probe("/readyz", 15, 5, 3),
          resources: RESOURCES,
          volumeMounts: [
            { name: "vmcp-config", mountPath: CONFIG_DIR, readOnly: true },
            ...input.pod.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: true })),
            ...input.pod.secretVolumes.map((v) => ({
              name: v.volume,
              mountPath: v.mountPath,
              readOnly: true,
            })),
          ],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: RUNTIME_UID,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        },
      ],
      // Pod Security "restricted": non-root, RuntimeDefault seccomp, no privilege escalation, no capabilities.
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUNTIME_UID,
        runAsGroup: RUNTIME_UID,
        fsGroup: RUNTIME_UID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumes: [
        { name: "vmcp-config", configMap: { name: childNames(name).configMap } },
        ...input.pod.mounts.map((m) => ({
          name: m.volume,
          configMap: { name: m.configMap, ...(m.key ? { items: [{ key: m.key, path: m.key }] } : {}) },
        })),
        // Readable by the owner only, as upstream mounts them (0400).
        ...input.pod.secretVolumes.map((v) => ({
          name: v.volume,
          projected: {
            defaultMode: 0o400,
            sources: v.files.map((f) => ({
              secret: { name: f.secret, items: [{ key: f.key, path: f.path }] },
            })),
          },
        })),
      ],
    },
  };
  return vmcp.spec.podTemplateSpec ? strategicMerge(generated, vmcp.spec.podTemplateSpec) : generated;
}

/** Everything the VirtualMCPServer should own, in apply order (RBAC and config before the Deployment). */
export function desiredChildren(input: ChildrenInput): Child[] {
  const { vmcp } = input;
  const name = vmcp.metadata.name;
  const config = configMap(input);
  const checksum = config.metadata.annotations?.[CONTENT_CHECKSUM] ?? "";
  const deployment: Child = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(input, childNames(name).deployment),
    spec: {
      // Unset replicas are left to whoever scales the Deployment (an HPA, a person).
      ...(vmcp.spec.replicas === undefined ? {} : { replicas: vmcp.spec.replicas }),
      selector: { matchLabels: workloadLabels(name) },
      template: podTemplate(input, checksum),
    },
  };
  const service: Child = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(input, childNames(name).service),
    spec: {
      type: vmcp.spec.serviceType || "ClusterIP",
      selector: workloadLabels(name),
      ports: [{ name: "http", port: VMCP_PORT, targetPort: VMCP_PORT, protocol: "TCP" }],
      sessionAffinity: vmcp.spec.sessionAffinity || "ClientIP",
    },
  };
  return [...rbac(input), config, deployment, service];
}
