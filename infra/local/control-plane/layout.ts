// The files of one local control plane under its directory, and the command lines of its two servers.
// Pure: the same directory and ports always give the same arguments.
import { join } from "node:path";
import { FUNCTIONS_USER } from "./credentials.ts";
import { LOOPBACK } from "./network.ts";

export interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
}

export function layout(dir: string) {
  return {
    dir,
    state: join(dir, "state.json"),
    kubeconfig: join(dir, "kubeconfig"),
    etcdData: join(dir, "etcd"),
    etcdLog: join(dir, "etcd.log"),
    apiserverLog: join(dir, "kube-apiserver.log"),
    certDir: join(dir, "pki"),
    servingCert: join(dir, "pki", "apiserver.crt"),
    tokenFile: join(dir, "tokens.csv"),
    functionsToken: join(dir, "functions.token"),
    serviceAccountKey: join(dir, "service-account.key"),
    auditPolicy: join(dir, "audit-policy.yaml"),
    auditLog: join(dir, "audit.log"),
  };
}

export type Layout = ReturnType<typeof layout>;

export function etcdArgs(files: Layout, ports: Ports): string[] {
  const client = `http://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    "--name=vmcp-lambda",
    `--data-dir=${files.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=vmcp-lambda=${peer}`,
    // Test data only: skipping fsync makes etcd several times faster on slow disks.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

export function apiserverArgs(files: Layout, ports: Ports): string[] {
  return [
    `--etcd-servers=http://${LOOPBACK}:${ports.etcdClient}`,
    `--bind-address=${LOOPBACK}`,
    // Without it the apiserver advertises the host's default-route address instead of loopback.
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${files.certDir}`,
    `--token-auth-file=${files.tokenFile}`,
    "--authorization-mode=RBAC",
    `--service-account-issuer=https://${LOOPBACK}:${ports.apiserver}/`,
    `--service-account-key-file=${files.serviceAccountKey}`,
    `--service-account-signing-key-file=${files.serviceAccountKey}`,
    // Room for thousands of Services (the benchmarks create 1,000 VirtualMCPServers, each with one).
    "--service-cluster-ip-range=10.0.0.0/16",
    "--allow-privileged=true",
    // No controller-manager creates the per-namespace 'default' ServiceAccount that this plugin demands.
    "--disable-admission-plugins=ServiceAccount",
    // What service accounts (the vMCP runtime run as the ServiceAccount the functions made) ask the API
    // server, request by request: how the runtime's RBAC is measured (AUDIT_POLICY).
    `--audit-policy-file=${files.auditPolicy}`,
    `--audit-log-path=${files.auditLog}`,
    "--audit-log-format=json",
    "--audit-log-maxsize=100",
  ];
}

/**
 * Metadata (who, verb, resource, name, answer) of service accounts' requests (the vMCP runtime's, ToolHive's
 * operator's) and of the functions' writes (who wrote what, when, beside the operator); nothing else.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: Metadata
    users: ["${FUNCTIONS_USER}"]
    verbs: [create, update, patch, delete]
  - level: None
`;
