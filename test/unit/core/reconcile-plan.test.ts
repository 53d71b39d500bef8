// planReconcile end to end on snapshots: which children, with which content, and which status fields.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../functions/core/kinds/kubernetes.ts";
import type { VirtualMCPServer } from "../../../functions/core/kinds/toolhive.ts";
import type { Child } from "../../../functions/core/reconcile/desired-children.ts";
import { planReconcile } from "../../../functions/core/reconcile/plan.ts";
import { runtimeProfile } from "../../../functions/core/runtime/versions.ts";
import {
  LATER,
  NOW,
  proxy,
  RUNTIME,
  server,
  snapshot,
  staticVmcp,
  vmcp,
} from "../../../infra/local/test-kit/core-inputs.ts";
import {
  headerInjection,
  mcpExternalAuthConfig,
  mcpGroup,
} from "../../../infra/local/test-kit/toolhive-objects.ts";

const IMAGE = "example/vmcp:1";
const V044 = runtimeProfile("example/vmcp:v0.44.0");
const plan = (fields: Parameters<typeof snapshot>[0], runtime = RUNTIME, now = NOW) =>
  planReconcile(snapshot(fields), { image: IMAGE, runtime, now });

/** The children as the functions applied them, the Deployment available as its controller would say. */
function running(fields: Parameters<typeof snapshot>[0], runtime = RUNTIME) {
  return plan(fields, runtime).apply.map((child) =>
    child.kind === "Deployment"
      ? {
          ...child,
          metadata: { ...child.metadata, generation: 1 },
          status: {
            observedGeneration: 1,
            availableReplicas: 1,
            conditions: [{ type: "Available", status: "True" }],
          },
        }
      : child,
  ) as unknown as KubeObject[];
}
const child = (children: readonly Child[], kind: string) => {
  const found = children.find((c) => c.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${children.map((c) => c.kind)}`);
  return found as Child & Record<string, any>;
};

describe("planReconcile", () => {
  it("creates upstream's children with their names, labels, ports, args and probes", () => {
    const { apply, created, outcome } = plan({});
    expect(outcome).toBe("ok");
    expect(apply.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual([
      "ServiceAccount/team-vmcp",
      "Role/team-vmcp",
      "RoleBinding/team-vmcp",
      "RoleBinding/team-vmcp-discovery",
      "ConfigMap/team-vmcp-config",
      "Deployment/team",
      "Service/vmcp-team",
    ]);
    expect(created).toHaveLength(7);
    const [role, binding, discovery] = apply.slice(1, 4) as (Child & Record<string, any>)[];
    // By name: its group, its own object and status. Namespace-wide reads come from the shared ClusterRole.
    expect(role?.rules).toEqual([
      {
        apiGroups: ["toolhive.stacklok.dev"],
        resources: ["mcpgroups"],
        resourceNames: ["team-group"],
        verbs: ["get"],
      },
      {
        apiGroups: ["toolhive.stacklok.dev"],
        resources: ["virtualmcpservers"],
        resourceNames: ["team"],
        verbs: ["get"],
      },
      {
        apiGroups: ["toolhive.stacklok.dev"],
        resources: ["virtualmcpservers/status"],
        resourceNames: ["team"],
        verbs: ["update"],
      },
    ]);
    expect(binding?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "team-vmcp",
    });
    expect(discovery?.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "vmcp-lambda-runtime-discovery",
    });
    expect(discovery?.subjects).toEqual(binding?.subjects);
    for (const c of apply) {
      expect(c.metadata.ownerReferences).toEqual([
        {
          apiVersion: "toolhive.stacklok.dev/v1beta1",
          kind: "VirtualMCPServer",
          name: "team",
          uid: "uid-1",
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const deployment = child(apply, "Deployment");
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    expect(deployment.spec.selector.matchLabels).toEqual({
      app: "virtualmcpserver",
      "app.kubernetes.io/name": "virtualmcpserver",
      "app.kubernetes.io/instance": "team",
      toolhive: "true",
      "toolhive-name": "team",
    });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(container).toMatchObject({
      name: "vmcp",
      image: IMAGE,
      args: ["serve", "--config=/etc/vmcp-config/config.yaml", "--host=0.0.0.0", "--port=4483"],
      ports: [{ name: "http", containerPort: 4483, protocol: "TCP" }],
      livenessProbe: {
        httpGet: { path: "/health", port: "http" },
        initialDelaySeconds: 30,
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
      },
      readinessProbe: {
        httpGet: { path: "/readyz", port: "http" },
        initialDelaySeconds: 15,
        periodSeconds: 5,
        timeoutSeconds: 3,
        failureThreshold: 3,
      },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    });
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.metadata.annotations["toolhive.stacklok.dev/runconfig-checksum"]).toBe(
      child(apply, "ConfigMap").metadata.annotations?.["toolhive.stacklok.dev/content-checksum"],
    );
    expect(child(apply, "Service").spec).toMatchObject({
      type: "ClusterIP",
      ports: [{ name: "http", port: 4483, targetPort: 4483, protocol: "TCP" }],
    });
  });

  it("dynamic mode: the pod gets its status identity and a Role limited to its own object", () => {
    const { apply } = plan({});
    const env = child(apply, "Deployment").spec.template.spec.containers[0].env;
    expect(env.slice(0, 2)).toEqual([
      { name: "VMCP_NAME", value: "team" },
      { name: "VMCP_NAMESPACE", value: "tools" },
    ]);
    const rules = child(apply, "Role").rules as {
      resources: string[];
      resourceNames?: string[];
      verbs: string[];
    }[];
    const own = rules.filter((r) => r.resources.some((x) => x.startsWith("virtualmcpservers")));
    expect(own.every((r) => JSON.stringify(r.resourceNames) === '["team"]')).toBe(true);
    expect(rules.flatMap((r) => r.resources)).not.toContain("secrets");
  });

  it("static mode: no status identity, no Role, no token; backends in the config; secrets as secretKeyRef", () => {
    const { apply } = plan({
      vmcp: staticVmcp(),
      workloads: [server("weather", { auth: "weather-key" })],
      authConfigs: [mcpExternalAuthConfig("weather-key", { spec: headerInjection() })],
    });
    expect(apply.map((c) => c.kind)).toEqual(["ServiceAccount", "ConfigMap", "Deployment", "Service"]);
    const pod = child(apply, "Deployment").spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const env = pod.containers[0].env as { name: string }[];
    expect(env.map((e) => e.name)).not.toContain("VMCP_NAME");
    expect(env).toContainEqual({
      name: "TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY",
      valueFrom: { secretKeyRef: { name: "creds", key: "api-key" } },
    });
    expect(child(apply, "ConfigMap").data["config.yaml"]).toContain(
      "headerValueEnv: TOOLHIVE_HEADER_INJECTION_VALUE_WEATHER_KEY",
    );
    expect(JSON.stringify(apply)).not.toContain("replace-me");
  });

  it("applies podTemplateSpec as a strategic merge and honours serviceAccount, replicas and serviceType", () => {
    const { apply } = plan({
      vmcp: vmcp({
        serviceAccount: "runner",
        replicas: 2,
        serviceType: "NodePort",
        podTemplateSpec: {
          spec: {
            nodeSelector: { disk: "ssd" },
            containers: [{ name: "vmcp", resources: { limits: { cpu: "1" } } }],
          },
        },
      }),
    });
    expect(apply.map((c) => c.kind)).toEqual(["ConfigMap", "Deployment", "Service"]);
    const deployment = child(apply, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe("runner");
    expect(pod.nodeSelector).toEqual({ disk: "ssd" });
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0]).toMatchObject({
      name: "vmcp",
      image: IMAGE,
      resources: { limits: { cpu: "1" } },
    });
    expect(child(apply, "Service").spec.type).toBe("NodePort");
  });

  it("invalid spec: no child is touched, Valid=False, phase Failed, not retried", () => {
    const result = plan({ vmcp: vmcp({ incomingAuth: { type: "oidc" } }) });
    expect(result.apply).toEqual([]);
    expect(result.outcome).toBe("invalid");
    // v0.47 on: the functions write the top level alone; up to v0.46 their fallback writes phase and Ready.
    expect(result.status).toMatchObject({ phase: "Failed" });
    expect(result.fallbackStatus).toBeUndefined();
    expect(plan({ vmcp: vmcp({ incomingAuth: { type: "oidc" } }) }, V044).fallbackStatus).toMatchObject({
      phase: "Failed",
      conditions: [{ type: "Ready", status: "False", reason: "ValidationFailed" }],
    });
    expect(result.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Valid", status: "False", reason: "ValidationFailed" }),
    );
  });

  it("missing group: blocked, phase Failed, GroupRefValidated=False/GroupRefNotFound", () => {
    const result = plan({ vmcp: staticVmcp(), group: undefined });
    expect(result.outcome).toBe("blocked");
    expect(result.apply).toEqual([]);
    expect(result.status).toMatchObject({
      phase: "Failed",
      message: "Referenced MCPGroup team-group not found",
    });
    expect(result.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "GroupRefValidated", status: "False", reason: "GroupRefNotFound" }),
    );
  });

  it("group its controller calls not Ready: waited for, phase Pending, GroupRefValidated=False/GroupRefNotReady", () => {
    const result = plan({
      vmcp: staticVmcp(),
      group: mcpGroup("team-group", { status: { phase: "Failed" } }),
    });
    expect(result.outcome).toBe("blocked");
    expect(result.apply).toEqual([]);
    expect(result.status).toMatchObject({
      phase: "Pending",
      message: "Referenced MCPGroup team-group is not ready (phase: Failed)",
    });
    expect(result.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "GroupRefValidated", status: "False", reason: "GroupRefNotReady" }),
    );
    // Ready, or no phase at all (no group controller runs beside the functions): usable.
    for (const status of [{ phase: "Ready" }, undefined]) {
      const usable = plan({ vmcp: staticVmcp(), group: mcpGroup("team-group", { status }) });
      expect(usable.apply.length).toBeGreaterThan(0);
      expect(usable.status?.conditions).toContainEqual(
        expect.objectContaining({ type: "GroupRefValidated", status: "True", reason: "GroupRefValid" }),
      );
    }
  });

  it("static status: sorted backends, routable count, BackendsDiscovered; no usable backend is explained", () => {
    const result = plan({
      vmcp: staticVmcp(),
      workloads: [server("b"), proxy("c", "Pending", "http://c"), server("a")],
    });
    expect(result.status).toMatchObject({ backendCount: 2, phase: "Pending" });
    expect(
      ((result.status?.discoveredBackends as { name: string }[] | undefined) ?? []).map((b) => b.name),
    ).toEqual(["a", "b", "c"]);
    expect(result.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: "BackendsDiscovered",
        status: "True",
        message: "Discovered 3 backends (3 usable)",
      }),
    );
    const empty = plan({ vmcp: staticVmcp(), workloads: [server("a", { url: "" })] });
    expect(empty.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: "Ready",
        status: "False",
        reason: "NoUsableBackends",
        message: "No usable backend: a: no URL yet",
      }),
    );
    expect(empty.outcome).toBe("ok");
  });

  it("writes nothing for an object being deleted", () => {
    const deleting = vmcp();
    deleting.metadata.deletionTimestamp = NOW;
    expect(plan({ vmcp: deleting })).toMatchObject({
      outcome: "ok",
      apply: [],
      remove: [],
      status: undefined,
      fallbackStatus: undefined,
    });
  });

  it("dynamic status never carries the fields a runtime up to v0.46 writes itself", () => {
    const result = plan({}, V044);
    expect(Object.keys(result.status ?? {}).sort()).toEqual(["conditions", "observedGeneration", "url"]);
    const types = ((result.status?.conditions as { type: string }[] | undefined) ?? []).map((c) => c.type);
    for (const owned of ["Ready", "Degraded", "BackendsDiscovered"]) expect(types).not.toContain(owned);
    expect(types).toContain("RuntimeStatusReported");
  });

  it("v0.47 on: projects status.runtime into the top level, and writes nothing while only time passes", () => {
    const report = (lastHealthCheck: string): NonNullable<VirtualMCPServer["status"]>["runtime"] => ({
      phase: "Ready",
      message: "All 1 backend healthy",
      backendCount: 1,
      discoveredBackends: [{ name: "alpha", url: "http://alpha/mcp", status: "ready", lastHealthCheck }],
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "AllBackendsRoutable",
          message: "All 1 backend are healthy",
          lastTransitionTime: NOW,
        },
        {
          type: "BackendsDiscovered",
          status: "True",
          reason: "BackendsDiscovered",
          message: "Discovered 1 backends",
          lastTransitionTime: NOW,
        },
      ],
    });
    const children = running({});
    const first = plan({ vmcp: vmcp({}, { runtime: report(NOW) }), children });
    expect(first.fallbackStatus).toBeUndefined();
    expect(first.status).toMatchObject({
      phase: "Ready",
      message: "All 1 backend healthy",
      backendCount: 1,
      discoveredBackends: [{ name: "alpha", status: "ready", lastHealthCheck: NOW }],
    });
    const conditions = first.status?.conditions as { type: string; status: string; reason: string }[];
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: "Ready", status: "True", reason: "AllBackendsRoutable" }),
    );
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: "BackendsDiscovered", status: "True" }),
    );
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: "RuntimeStatusReported", status: "True" }),
    );
    // A minute later the runtime has reported again (a newer lastHealthCheck), nothing else changed.
    const written = { ...vmcp({}, { ...(first.status as object), runtime: report(LATER) }) };
    const again = plan({ vmcp: written, children }, RUNTIME, "2026-11-24T10:05:30.000Z");
    // The same status, byte for byte (with managedFields to match, the shell would write nothing).
    expect(again.status).toEqual(first.status);
    expect(again.fallbackStatus).toBeUndefined();
  });
});
