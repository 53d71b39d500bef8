// Least privilege on the real API server, as `kubectl auth can-i` sees it: the functions' ClusterRole
// allows exactly what their code uses (plus what RBAC makes them hold to grant the vMCP runtime its Role),
// and the vMCP pod may touch only its own object in dynamic mode and nothing at all in static mode.
import { beforeAll, describe, expect, it } from "vitest";
import { type Kind, rbacNameOf } from "../../functions/core/kinds/resources.ts";
import {
  CHILD_KINDS,
  listedByResync,
  RELATED,
  RELATED_KINDS,
} from "../../functions/core/reconcile/related-kinds.ts";
import { getObject, listObjects } from "../../functions/kube/api.ts";
import { reconcileOne } from "../../functions/reconcile/reconcile-one.ts";
import { userApply } from "../../infra/local/test-kit/actors.ts";
import { mcpGroup, virtualMCPServer } from "../../infra/local/test-kit/toolhive-objects.ts";
import { permissions, permissionsOf } from "./can-i.ts";
import { kubeConfig, kubectl, useNamespace } from "./cluster.ts";
import { applyFunctionsRbac, functionsKubeConfig, kubectlAsFunctions } from "./functions-identity.ts";

const namespace = useNamespace("privilege");
const ns = () => namespace.name;
const TH = "toolhive.stacklok.dev";
type Any = Record<string, any>;

const listFor = (who: string[], namespaceName = ns()) => permissionsOf(who, namespaceName);
const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
const expand = (verbs: string[], resources: string[]) =>
  verbs.flatMap((verb) => resources.map((resource) => `${verb} ${resource}`));

/** "plural.group" as kubectl auth can-i prints a resource. */
const resourceOf = (kind: Kind) => {
  const { apiGroup, plural } = rbacNameOf(kind);
  return apiGroup ? `${plural}.${apiGroup}` : plural;
};
// What the functions' code does, call by call (functions/kube/snapshot.ts after the tables of related and
// child kinds, reconcile/apply-plan.ts, reconcile/hint-router.ts, admission/lookups.ts).
// A kind both related and a child (ConfigMap: an authorization ConfigMap, and <name>-vmcp-config) once.
const USED = [
  ...new Set([
    ...expand(["get", "list"], [`virtualmcpservers.${TH}`]), // reconcile reads one; resync, hint routing list
    `patch virtualmcpservers.${TH}/status`, // status by server-side apply, the handover by JSON patch
    `patch virtualmcpservers.${TH}`, // managedFields alone, in a handover with ToolHive's operator
    // Every related kind is listed by the resync (or got by name, listedByResync); a reconcile gets the ones
    // its object names.
    ...RELATED_KINDS.flatMap(({ kind, field }) =>
      expand(
        RELATED[field].select.by === "namespace"
          ? ["list"]
          : listedByResync(field)
            ? ["get", "list"]
            : ["get"],
        [resourceOf(kind)],
      ),
    ),
    `get mcpexternalauthconfigs.${TH}`, // admission looks up the referenced ones
    // Children: read, applied (create when new), deleted on a mode switch.
    ...expand(["get", "list", "create", "patch", "delete"], CHILD_KINDS.map(resourceOf)),
    "create events",
  ]),
];
// Never used by the functions, but held so that RBAC lets them create the vMCP runtime's Role and bind its
// ClusterRole: nobody may grant what they do not hold, or bind what they may not (infra/rbac/functions.yaml).
const FOR_THE_RUNTIME_ROLE = [
  `update virtualmcpservers.${TH}/status`,
  "bind clusterroles.rbac.authorization.k8s.io vmcp-lambda-runtime-discovery",
];
// What the runtime uses (measured on it, test/runtime/dynamic-mode.test.ts), as its ServiceAccount's grants.
const RUNTIME_GRANTS = (name: string, groupName: string) =>
  [
    `get mcpgroups.${TH} ${groupName}`,
    `get virtualmcpservers.${TH} ${name}`,
    `update virtualmcpservers.${TH}/status ${name}`,
    ...expand(
      ["get", "list", "watch"],
      [
        ...["mcpservers", "mcpremoteproxies", "mcpserverentries", "mcpexternalauthconfigs"].map(
          (r) => `${r}.${TH}`,
        ),
        "secrets",
        // An MCPServerEntry's CA bundle, read at start.
        "configmaps",
      ],
    ),
  ].sort();

beforeAll(async () => {
  await applyFunctionsRbac();
  await userApply(
    kubeConfig(),
    ns(),
    mcpGroup("privilege-group"),
    virtualMCPServer("dyn", { group: "privilege-group" }),
    virtualMCPServer("stat", { group: "privilege-group", spec: { outgoingAuth: { source: "inline" } } }),
    virtualMCPServer("other", { group: "privilege-group" }),
  );
});

describe("the functions' identity", () => {
  it("reconciles both modes with nothing more than its ClusterRole, the runtime's Role included", async () => {
    const as = functionsKubeConfig();
    const dynamic = await reconcileOne(as, ns(), "dyn", { image: "example/vmcp:v0.47.0" });
    expect(dynamic).toMatchObject({ mode: "dynamic", outcome: "ok" });
    expect(dynamic.written).toEqual(
      expect.arrayContaining(["ServiceAccount", "Role", "RoleBinding", "Deployment"]),
    );
    const fixed = await reconcileOne(as, ns(), "stat", { image: "example/vmcp:v0.47.0" });
    expect(fixed).toMatchObject({ mode: "static", outcome: "ok", statusWritten: true });
  });

  it("may do exactly what the code uses and what the runtime's Role needs, nothing else", async () => {
    const granted = permissions(kubectlAsFunctions(["auth", "can-i", "--list", "--no-headers", "-n", ns()]));
    const everyone = listFor(["--as=vmcp-lambda-nobody"]);
    expect(minus(granted, everyone)).toEqual([...USED, ...FOR_THE_RUNTIME_ROLE].sort());
    // What the runtime's ClusterRole grants (Secrets among it) is not the functions' to use.
    expect(granted.filter((p) => / secrets|watch /.test(p))).toEqual([]);
  });

  it.each([
    "get secrets",
    "list secrets",
    "watch secrets",
    "create serviceaccounts --subresource=token",
    "create pods",
    "create pods --subresource=exec",
    "delete namespaces",
    `create virtualmcpservers.${TH}`,
    `update virtualmcpservers.${TH}`,
    `delete virtualmcpservers.${TH}`,
    `patch mcpservers.${TH}`,
    `delete mcpexternalauthconfigs.${TH}`,
    "update deployments.apps",
    "delete events",
    "bind roles.rbac.authorization.k8s.io",
    "escalate roles.rbac.authorization.k8s.io",
    "create clusterrolebindings.rbac.authorization.k8s.io",
    "impersonate users",
    "patch validatingwebhookconfigurations.admissionregistration.k8s.io",
    "update customresourcedefinitions.apiextensions.k8s.io",
  ])("may not %s, in its namespace or any", (question) => {
    const args = ["auth", "can-i", ...question.split(" ")];
    // kubectl only notes that -n means nothing for a cluster-scoped resource.
    const no = {
      status: 1,
      stdout: "no\n",
      stderr: expect.stringMatching(/^(Warning: .* is not namespace scoped( in group '[^']*')?\s*)?$/),
    };
    expect(kubectlAsFunctions([...args, "-n", ns()])).toEqual(no);
    expect(kubectlAsFunctions([...args, "--all-namespaces"])).toEqual(no);
  });

  it("is answered yes where it may, so the answers above are refusals, not failures to ask", () => {
    const yes = { status: 0, stdout: "yes\n", stderr: "" };
    for (const question of ["patch deployments.apps", "create events", `list virtualmcpservers.${TH}`])
      expect(kubectlAsFunctions(["auth", "can-i", ...question.split(" "), "--all-namespaces"])).toEqual(yes);
  });
});

describe("the vMCP pod's identity", () => {
  const sa = (name: string) => `--as=system:serviceaccount:${ns()}:${name}`;

  it("in dynamic mode has exactly what the runtime uses: its group and status by name, reads in its namespace", () => {
    const baseline = listFor([sa("no-bindings")]);
    expect(minus(listFor([sa("dyn-vmcp")]), baseline)).toEqual(RUNTIME_GRANTS("dyn", "privilege-group"));
    // Nothing in any other namespace.
    expect(listFor([sa("dyn-vmcp")], "default")).toEqual(listFor([sa("no-bindings")], "default"));
  });

  it.each([
    `yes: get virtualmcpservers.${TH}/dyn`,
    `yes: update virtualmcpservers.${TH}/dyn --subresource=status`,
    "yes: list secrets",
    `no: patch virtualmcpservers.${TH}/dyn --subresource=status`,
    `no: get virtualmcpservers.${TH}/other`,
    `no: update virtualmcpservers.${TH}/other --subresource=status`,
    `no: list virtualmcpservers.${TH}`,
    `no: patch virtualmcpservers.${TH}/dyn`,
    `no: delete virtualmcpservers.${TH}/dyn`,
    `no: patch mcpservers.${TH}`,
    `no: get mcpgroups.${TH}/another-group`,
    "no: create configmaps",
    "no: patch deployments.apps/dyn",
  ])("in dynamic mode, %s", (row) => {
    const [answer, question = ""] = row.split(": ");
    const args = ["auth", "can-i", ...question.split(" "), sa("dyn-vmcp")];
    expect(kubectl([...args, "-n", ns()]).stdout.trim()).toBe(answer);
    expect(kubectl([...args, "-n", "default"]).stdout.trim()).toBe("no"); // nothing anywhere else
  });

  it("in static mode may do nothing that an identity without bindings may not, and nothing binds it", async () => {
    expect(listFor([sa("stat-vmcp")])).toEqual(listFor([sa("no-bindings")]));
    expect(listFor([sa("stat-vmcp")], "default")).toEqual(listFor([sa("no-bindings")], "default"));
    const bindings = [
      ...((await listObjects(kubeConfig(), "RoleBinding", { namespace: ns() })) as Any[]),
      ...((await listObjects(kubeConfig(), "ClusterRoleBinding", {})) as Any[]),
    ];
    const subjects = bindings.flatMap((b) => (b.subjects ?? []) as Any[]);
    expect(subjects.filter((s) => s.kind === "ServiceAccount" && s.name === "stat-vmcp")).toEqual([]);
    expect(subjects).toContainEqual({ kind: "ServiceAccount", name: "dyn-vmcp", namespace: ns() }); // the control
    expect(
      ((await getObject(kubeConfig(), "ServiceAccount", ns(), "stat-vmcp")) as Any)
        .automountServiceAccountToken,
    ).toBe(false);
  });
});
