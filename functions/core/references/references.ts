// The kinds a VirtualMCPServer references by name, declared once: the reconcile reads them (RELATED takes
// each entry as a snapshot field), the admission webhook looks them up, and both resolve them here.
// Adding a kind: its schema (kinds/), its resolver beside this file, an entry below (RELATED takes it from
// here), its API location (kinds/resources.ts), its CRD, its grant and webhook rule in infra/, its test
// builder and a scenario in test/integration/referenced-kinds.test.ts (the type checker and
// test/unit/related-kinds.test.ts name what is missing). Why the functions judge the objects themselves:
// docs/adr/0010.

import type { DesiredCondition } from "../kinds/conditions.ts";
import type { FieldError } from "../kinds/field-errors.ts";
import type { Tree } from "../kinds/json-tree.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import type { PodAdditions } from "../runtime/pod-additions.ts";
import { AUTHZ_CONFIG_MAPS } from "./authz-config-maps.ts";
import { AUTHZ_CONFIGS } from "./authz-configs.ts";
import { COMPOSITE_TOOLS } from "./composite-tools.ts";
import { EMBEDDING_SERVER } from "./embedding-server.ts";
import { OIDC_CONFIGS } from "./oidc-configs.ts";
import type { Reference, Resolution } from "./reference.ts";
import { TELEMETRY_CONFIGS } from "./telemetry-configs.ts";
import { TOOL_CONFIGS } from "./tool-configs.ts";

export const REFERENCES = {
  toolConfigs: TOOL_CONFIGS,
  embeddingServer: EMBEDDING_SERVER,
  oidcConfigs: OIDC_CONFIGS,
  compositeToolDefinitions: COMPOSITE_TOOLS,
  telemetryConfigs: TELEMETRY_CONFIGS,
  authzConfigs: AUTHZ_CONFIGS,
  authzConfigMaps: AUTHZ_CONFIG_MAPS,
};

export type ReferenceField = keyof typeof REFERENCES;
export const REFERENCE_FIELDS = Object.keys(REFERENCES) as ReferenceField[];

/** The referenced objects found, per field, as the snapshot holds them. */
export type ReferencedObjects = {
  readonly [F in ReferenceField]: readonly { metadata: { name: string } }[];
};

/** Every reference of a VirtualMCPServer resolved, the resolutions combined. */
export interface Resolved {
  readonly errors: readonly FieldError[];
  /** The first reference that is not ready yet, if any (Resolution.waiting). */
  readonly waiting: Resolution["waiting"];
  readonly conditions: readonly DesiredCondition[];
  /** Every resolution's configuration laid over the spec's, in table order. */
  readonly config: (config: Tree) => Tree;
  readonly pod: readonly Partial<PodAdditions>[];
  readonly status: Readonly<Record<string, string>>;
}

export function resolveReferences(
  vmcp: VirtualMCPServer,
  objects: ReferencedObjects,
  runtimeVersion: string,
): Resolved {
  const resolutions: Resolution[] = REFERENCE_FIELDS.map((field) => {
    const entry = REFERENCES[field] as Reference;
    const found = new Map(objects[field].map((object) => [object.metadata.name, object]));
    return entry.resolve({ vmcp, refs: entry.refs(vmcp), found, runtimeVersion });
  });
  return {
    errors: resolutions.flatMap((r) => r.errors),
    waiting: resolutions.find((r) => r.waiting)?.waiting,
    conditions: resolutions.flatMap((r) => r.conditions),
    config: (config) => resolutions.reduce((tree, r) => (r.config ? r.config(tree) : tree), config),
    pod: resolutions.flatMap((r) => (r.pod ? [r.pod] : [])),
    status: Object.assign({}, ...resolutions.map((r) => r.status ?? {})),
  };
}
