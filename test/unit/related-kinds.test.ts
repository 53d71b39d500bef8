// The declared tables of related and child kinds against what the cluster-side manifests grant and
// watch: a related kind added to RELATED without its RBAC or its hint webhook fails here, by name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { HintedKind } from "../../functions/core/delivery/change-hint.ts";
import { type RESOURCES, rbacNameOf } from "../../functions/core/kinds/resources.ts";
import {
  CHILD_KINDS,
  childKeys,
  listedByResync,
  RELATED,
  RELATED_FIELDS,
  RELATED_KINDS,
} from "../../functions/core/reconcile/related-kinds.ts";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Webhook = { name: string; rules: { apiGroups: string[]; resources: string[]; operations: string[] }[] };

const documents = (path: string) =>
  parseAllDocuments(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")).map(
    (d) => d.toJS() as Record<string, any>,
  );
const functionsRole = documents("infra/rbac/functions.yaml").find(
  (d) => d.kind === "ClusterRole" && d.metadata.name === "vmcp-lambda-functions",
);
const webhooks = documents("infra/webhooks/webhooks.yaml").flatMap((d) => d.webhooks as Webhook[]);

const verbsOn = (kind: keyof typeof RESOURCES) => {
  const { apiGroup, plural } = rbacNameOf(kind);
  return new Set(
    ((functionsRole?.rules ?? []) as Rule[])
      .filter((r) => !r.resourceNames && r.apiGroups.includes(apiGroup) && r.resources.includes(plural))
      .flatMap((r) => r.verbs),
  );
};

describe("the related kinds (RELATED)", () => {
  it.each(RELATED_KINDS)("the functions may read $kind as the snapshots do", ({ kind, field }) => {
    const verbs = verbsOn(kind);
    if (listedByResync(field)) expect(verbs, "the resync lists every related kind").toContain("list");
    if (RELATED[field].select.by !== "namespace")
      expect(verbs, "a reconcile gets the objects its VirtualMCPServer names").toContain("get");
  });

  it.each(RELATED_KINDS)(
    "a write of $kind is hinted: admission sees it and the router expands it",
    ({ kind }) => {
      const { apiGroup, plural } = rbacNameOf(kind);
      const hinted = webhooks.some((webhook) =>
        webhook.rules.some(
          (rule) =>
            rule.apiGroups.includes(apiGroup) &&
            rule.resources.includes(plural) &&
            ["CREATE", "UPDATE", "DELETE"].every((operation) => rule.operations.includes(operation)),
        ),
      );
      expect(hinted, `a webhook rule for ${plural} in infra/webhooks/webhooks.yaml`).toBe(true);
      expect(HintedKind.options).toContain(kind);
    },
  );

  it("has one field per kind and fields selected by name of one kind each", () => {
    expect(new Set(RELATED_KINDS.map((r) => r.kind)).size).toBe(RELATED_KINDS.length);
    for (const field of RELATED_FIELDS)
      if (RELATED[field].select.by !== "namespace") expect(RELATED[field].kinds).toHaveLength(1);
  });
});

describe("the children (CHILDREN)", () => {
  it.each(CHILD_KINDS)("the functions may read, apply and remove %s", (kind) => {
    expect([...verbsOn(kind)]).toEqual(expect.arrayContaining(["get", "list", "create", "patch", "delete"]));
  });

  it("names every child of one object once", () => {
    const keys = childKeys("x").map(([kind, name]) => `${kind}/${name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain("RoleBinding/x-vmcp-discovery");
  });
});
