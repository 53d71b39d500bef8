import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { renderKubeconfig } from "../../infra/local/control-plane/kubeconfig.ts";
import { apiserverArgs, etcdArgs, layout } from "../../infra/local/control-plane/layout.ts";

const files = layout("/tmp/plane");
const ports = { etcdClient: 2379, etcdPeer: 2380, apiserver: 6443 };
const flag = (args: string[], name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];

describe("control plane command lines", () => {
  it("keep every listener of etcd on loopback", () => {
    const args = etcdArgs(files, ports);
    for (const name of ["listen-client-urls", "advertise-client-urls", "listen-peer-urls"]) {
      expect(new URL(flag(args, name) ?? "").hostname).toBe("127.0.0.1");
    }
    expect(flag(args, "data-dir")).toBe("/tmp/plane/etcd");
  });

  it("bind and advertise the API server on loopback, with RBAC and the admin token file", () => {
    const args = apiserverArgs(files, ports);
    expect(flag(args, "bind-address")).toBe("127.0.0.1");
    expect(flag(args, "advertise-address")).toBe("127.0.0.1");
    expect(flag(args, "secure-port")).toBe("6443");
    expect(flag(args, "etcd-servers")).toBe("http://127.0.0.1:2379");
    expect(flag(args, "authorization-mode")).toBe("RBAC");
    expect(flag(args, "token-auth-file")).toBe("/tmp/plane/tokens.csv");
    // Every file the API server needs lives under the plane's own directory.
    const paths = args.map((a) => a.split("=")[1] ?? "").filter((v) => v.startsWith("/"));
    for (const path of paths) expect(path.startsWith("/tmp/plane/")).toBe(true);
  });
});

describe("renderKubeconfig", () => {
  it("gives client-node the server, the CA and the bearer token", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(renderKubeconfig({ server: "https://127.0.0.1:6443", caPem: "PEM", token: "t0k" }));
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64").toString()).toBe("PEM");
    const options: { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(options);
    expect(options.headers?.Authorization).toBe("Bearer t0k");
  });
});
