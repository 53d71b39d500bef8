// Manifests (the project's examples, ToolHive's) as the reconcile would see them once applied: each
// object defaulted by the mutating webhook's own decisions, members as ToolHive's controllers would report
// them (proxies running at the URL its operator gives them, entries Valid). One snapshot per
// VirtualMCPServer, its group's objects beside it.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import jsonPatch from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { mutate } from "../../functions/core/admission/mutate.ts";
import {
  ExternalAuthConfig,
  MCPGroup,
  MEMBER_KINDS,
  VirtualMCPServer,
  Workload,
} from "../../functions/core/kinds/toolhive.ts";
import type { Snapshot } from "../../functions/core/reconcile/plan.ts";
import { noRelatedObjects } from "../../functions/core/reconcile/related-kinds.ts";
import type { Reference } from "../../functions/core/references/reference.ts";
import {
  REFERENCE_FIELDS,
  REFERENCES,
  type ReferenceField,
} from "../../functions/core/references/references.ts";

export interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { name?: string; namespace?: string };
  readonly spec?: Record<string, unknown>;
}

export interface Labelled {
  /** file#name, for messages. */
  readonly label: string;
  readonly snapshot: Snapshot;
}

export function readManifests(dir: string): { file: string; docs: Manifest[] }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((file) => ({
      file,
      docs: parseAllDocuments(readFileSync(join(dir, file), "utf8"))
        .map((d) => d.toJS() as Manifest | null)
        .filter((d): d is Manifest => d !== null && typeof d === "object"),
    }));
}

const admitted = (doc: Manifest): Record<string, unknown> => {
  const object = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  const { patch } = mutate(doc.kind ?? "", object);
  return jsonPatch.applyPatch(object, patch, false, false).newDocument as Record<string, unknown>;
};

/** The URL ToolHive's operator writes into a running member's status. */
function memberUrl(doc: Manifest, namespace: string): string {
  const name = doc.metadata?.name ?? "";
  const spec = doc.spec ?? {};
  if (doc.kind === "MCPRemoteProxy")
    return `http://mcp-${name}-remote-proxy.${namespace}.svc.cluster.local:${spec.proxyPort ?? 8080}/mcp`;
  const transport = spec.proxyMode === "sse" || spec.transport === "sse" ? "sse" : "mcp";
  const base = `http://mcp-${name}-proxy.${namespace}.svc.cluster.local:${spec.proxyPort ?? 8080}`;
  return transport === "sse" ? `${base}/sse#${name}` : `${base}/mcp`;
}

/** What ToolHive's controller of a referenced kind reports once the object runs, where the reconcile reads it. */
const RUNNING_STATUS: Partial<Record<string, (doc: Manifest, namespace: string) => Record<string, unknown>>> =
  {
    EmbeddingServer: (doc, namespace) => ({
      phase: "Ready",
      readyReplicas: 1,
      url: `http://${doc.metadata?.name}.${namespace}.svc.cluster.local:${doc.spec?.port ?? 8080}`,
    }),
  };

/**
 * Objects ToolHive's examples name but no example defines (vmcp_inline_incoming_auth.yaml and
 * vmcp_production_full.yaml name MCPOIDCConfigs of their own), taken to exist as a group another file
 * defines is: the plainest valid object of the kind, so the runtime judges the config the example makes.
 */
const STAND_INS: Partial<Record<ReferenceField, (name: string) => Manifest>> = {
  oidcConfigs: (name) => ({
    kind: "MCPOIDCConfig",
    metadata: { name },
    spec: { type: "inline", inline: { issuer: "https://auth.example.com", clientId: name } },
  }),
};

/** The objects of every kind a VirtualMCPServer references by name (core/references), from its file. */
function referencedIn(vmcp: VirtualMCPServer, docs: readonly Manifest[], namespace: string) {
  return Object.fromEntries(
    REFERENCE_FIELDS.map((field) => {
      const { kind, schema, refs } = REFERENCES[field] as Reference;
      const defined = docs.filter((d) => d.kind === kind);
      const standIn = STAND_INS[field];
      const undefinedNames = refs(vmcp)
        .map((ref) => ref.name)
        .filter((name) => !defined.some((d) => d.metadata?.name === name));
      const objects = [...defined, ...(standIn ? [...new Set(undefinedNames)].map(standIn) : [])];
      return [
        field,
        objects.map((d) => {
          const status = RUNNING_STATUS[kind]?.(d, namespace);
          return schema.parse({
            ...d,
            metadata: { ...d.metadata, namespace },
            ...(status ? { status } : {}),
          });
        }),
      ];
    }),
  );
}

/**
 * What ToolHive's controllers report for a member: a proxy running at its URL; an entry Valid, its
 * references taken to exist (as a group another file defines is), which is what its controller checks.
 */
function memberStatus(doc: Manifest, namespace: string): Record<string, unknown> {
  return doc.kind === "MCPServerEntry"
    ? { phase: "Valid" }
    : { phase: "Running", url: memberUrl(doc, namespace) };
}

const isMember = (doc: Manifest) => (MEMBER_KINDS as readonly (string | undefined)[]).includes(doc.kind);

export function snapshotsOf(label: string, docs: readonly Manifest[]): Labelled[] {
  const toolhive = docs.filter((d) => d.apiVersion?.startsWith("toolhive.stacklok.dev/"));
  const namespaceOf = (d: Manifest) => d.metadata?.namespace ?? "default";
  return toolhive
    .filter((d) => d.kind === "VirtualMCPServer")
    .map((doc, index) => {
      const namespace = namespaceOf(doc);
      const inNamespace = toolhive.filter((d) => namespaceOf(d) === namespace);
      const vmcp = VirtualMCPServer.parse({
        ...admitted(doc),
        metadata: { ...doc.metadata, namespace, uid: `uid-${index}`, generation: 1 },
      });
      const groupName = vmcp.spec.groupRef?.name ?? "";
      const groupDoc = inNamespace.find((d) => d.kind === "MCPGroup" && d.metadata?.name === groupName);
      return {
        label: `${label}#${doc.metadata?.name}`,
        snapshot: {
          ...noRelatedObjects(),
          vmcp,
          // A group another file defines is taken to exist: the runtime judges the config, not the file.
          group: MCPGroup.parse(groupDoc ?? { metadata: { name: groupName, namespace } }),
          workloads: inNamespace.filter(isMember).map((d) =>
            Workload.parse({
              ...admitted(d),
              metadata: { ...d.metadata, namespace },
              status: memberStatus(d, namespace),
            }),
          ),
          authConfigs: inNamespace
            .filter((d) => d.kind === "MCPExternalAuthConfig")
            .map((d) => ExternalAuthConfig.parse({ ...d, metadata: { ...d.metadata, namespace } })),
          // Every kind, core ones too (an authorization ConfigMap).
          ...referencedIn(
            vmcp,
            docs.filter((d) => namespaceOf(d) === namespace),
            namespace,
          ),
          children: [],
        },
      };
    });
}
