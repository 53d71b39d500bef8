// An MCPOIDCConfig through the real API server: a VirtualMCPServer naming one that does not exist yet is
// refused with upstream's condition and gets no child; once it exists, its provider reaches the runtime's
// configuration and its secret the pod (by reference), and a change to it is a new config and a new hash.
// The namespace's configurations are judged by the real `vmcp validate` when the file ends (cluster.ts).
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { getObject } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, mcpOIDCConfig, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { kubeConfig, useNamespace } from "./cluster.ts";

const namespace = useNamespace("oidc");
const options = { image: "example/vmcp:v0.47.0", now: () => new Date("2026-11-24T00:00:00Z") };
type Condition = { type: string; status: string; reason: string; message: string };

const provider = (issuer: string) =>
  mcpOIDCConfig("idp", {
    spec: {
      type: "inline",
      inline: {
        issuer,
        clientId: "vmcp",
        clientSecretRef: { name: "idp-client", key: "secret" },
        caBundleRef: { configMapRef: { name: "idp-ca", key: "ca.crt" } },
      },
    },
  });

async function stored() {
  const kc = kubeConfig();
  const vmcp = (await getObject(kc, "VirtualMCPServer", namespace.name, "secure")) as {
    status: { oidcConfigHash?: string; conditions: Condition[] };
  };
  const configMap = (await getObject(kc, "ConfigMap", namespace.name, "secure-vmcp-config")) as
    | { data: Record<string, string> }
    | undefined;
  const deployment = (await getObject(kc, "Deployment", namespace.name, "secure")) as any;
  return {
    status: vmcp.status,
    condition: vmcp.status.conditions.find((c) => c.type === "OIDCConfigRefValidated"),
    oidc: configMap && parse(configMap.data["config.yaml"] ?? "").incomingAuth.oidc,
    container: deployment?.spec.template.spec.containers[0],
  };
}

describe("a VirtualMCPServer with OIDC incoming auth", () => {
  it("is refused while its MCPOIDCConfig is missing, and resolved once it exists", async () => {
    await userApply(
      kubeConfig(),
      namespace.name,
      mcpGroup("team"),
      virtualMCPServer("secure", {
        group: "team",
        spec: { incomingAuth: { type: "oidc", oidcConfigRef: { name: "idp", audience: "vmcp-api" } } },
      }),
    );
    const blocked = await reconcileOne(kubeConfig(), namespace.name, "secure", options);
    expect(blocked.outcome).toBe("blocked");
    const missing = await stored();
    expect(missing.condition).toMatchObject({ status: "False", reason: "OIDCConfigRefNotFound" });
    expect(missing.container).toBeUndefined();

    await userApply(kubeConfig(), namespace.name, provider("https://auth.example.com"));
    expect((await reconcileOne(kubeConfig(), namespace.name, "secure", options)).outcome).toBe("ok");
    const resolved = await stored();
    expect(resolved.condition).toMatchObject({ status: "True", reason: "OIDCConfigRefValid" });
    // The CRD's status schema keeps the hash.
    expect(resolved.status.oidcConfigHash).toMatch(/^[0-9a-f]{64}$/);
    expect(resolved.oidc).toMatchObject({
      issuer: "https://auth.example.com",
      audience: "vmcp-api",
      clientSecretEnv: "VMCP_OIDC_CLIENT_SECRET",
      caBundlePath: "/config/certs/idp-ca/ca.crt",
    });
    expect(resolved.container.env).toContainEqual({
      name: "VMCP_OIDC_CLIENT_SECRET",
      valueFrom: { secretKeyRef: { name: "idp-client", key: "secret" } },
    });
    expect(resolved.container.volumeMounts).toContainEqual({
      name: "oidc-ca-bundle-idp-ca",
      mountPath: "/config/certs/idp-ca",
      readOnly: true,
    });

    // Another issuer: another configuration and another hash.
    await userApply(kubeConfig(), namespace.name, provider("https://idp2.example.com"));
    const changed = await reconcileOne(kubeConfig(), namespace.name, "secure", options);
    expect(changed.written).toContain("ConfigMap");
    const after = await stored();
    expect(after.oidc.issuer).toBe("https://idp2.example.com");
    expect(after.status.oidcConfigHash).not.toBe(resolved.status.oidcConfigHash);
  });
});
