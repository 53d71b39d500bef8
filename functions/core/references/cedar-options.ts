// The Cedar options both sources of authorization by reference carry (an MCPAuthzConfig's spec.config, an
// authorization ConfigMap's `cedar` member; snake_case, as ToolHive's Cedar authorizer reads them), checked
// for what would keep the vMCP runtime from starting, and turned into its incomingAuth.authz. The runtime's
// own `vmcp validate` checks only that policies exist; a policy or entity list it cannot parse, or a bad
// group entity type, fails the pod at start, so those are said here, at the reference, instead.
// Cedar's policy grammar itself is not parsed here (ToolHive's operator does not parse it either).
import { isTree, type Tree } from "../kinds/json-tree.ts";

export interface CedarOptions {
  readonly policies: readonly string[];
  readonly entitiesJson?: string;
  readonly groupClaimName?: string;
  readonly roleClaimName?: string;
  readonly groupEntityType?: string;
}

export type ReadOptions = { readonly options: CedarOptions } | { readonly problem: string };

/** The claim mapping: the runtime's key for each of the authorizer's. */
const CLAIM_MAPPING = [
  ["group_claim_name", "groupClaimName"],
  ["role_claim_name", "roleClaimName"],
  ["group_entity_type", "groupEntityType"],
] as const;

// A Cedar identifier (what ToolHive's authorizer accepts as a group entity type), minus reserved words.
const IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED = new Set(["true", "false", "if", "then", "else", "in", "is", "like", "has"]);

function entitiesProblem(value: unknown, at: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string")
    return `${at}.entities_json must be a string holding a JSON array of entities`;
  try {
    if (Array.isArray(JSON.parse(value))) return undefined;
  } catch {
    // Said below.
  }
  return `${at}.entities_json is not a JSON array of Cedar entities; fix it or leave it out`;
}

function mappingProblem(options: Tree, at: string): string | undefined {
  for (const [key] of CLAIM_MAPPING)
    if (options[key] !== undefined && typeof options[key] !== "string")
      return `${at}.${key} must be a string`;
  const type = options.group_entity_type;
  if (typeof type === "string" && type !== "" && (!IDENTIFIER.test(type) || RESERVED.has(type)))
    return `${at}.group_entity_type must be a Cedar identifier without "::" (letters, digits and _, e.g. THVGroup)`;
  return undefined;
}

/** The options `raw` holds, or what is wrong with them; `at` names where they sit, for the message. */
export function readCedarOptions(raw: unknown, at: string): ReadOptions {
  if (!isTree(raw)) return { problem: `${at} must be an object with the Cedar policies` };
  const policies = raw.policies;
  if (!Array.isArray(policies) || policies.length === 0)
    return { problem: `${at}.policies holds no Cedar policy; add at least one` };
  const bad = policies.findIndex((p) => typeof p !== "string" || p.trim() === "");
  if (bad >= 0) return { problem: `${at}.policies[${bad}] must be a policy written as a non-empty string` };
  const problem = entitiesProblem(raw.entities_json, at) ?? mappingProblem(raw, at);
  if (problem) return { problem };
  const mapping = Object.fromEntries(
    CLAIM_MAPPING.filter(([key]) => typeof raw[key] === "string" && raw[key] !== "").map(([key, ours]) => [
      ours,
      raw[key],
    ]),
  );
  return {
    options: {
      policies: policies as string[],
      ...(typeof raw.entities_json === "string" && raw.entities_json !== ""
        ? { entitiesJson: raw.entities_json }
        : {}),
      ...mapping,
    },
  };
}

/** The runtime's incomingAuth.authz for the options: Cedar, whatever the source was called. */
export const runtimeAuthz = (options: CedarOptions): Tree => ({ type: "cedar", ...options });

/** The configuration with its incomingAuth.authz replaced. */
export const withAuthz = (config: Tree, authz: Tree): Tree => ({
  ...config,
  incomingAuth: { ...(isTree(config.incomingAuth) ? config.incomingAuth : {}), authz },
});
