// The authorization ConfigMap, named by spec.incomingAuth.authzConfig (type configMap, {name, key}): the
// authorization config under its key (JSON or YAML, as ToolHive's authorizers read it:
// {version, type: cedarv1, cedar: {policies, entities_json, group_claim_name, ...}}) written into the
// runtime's incomingAuth.authz, the spec's own claim mapping winning over the ConfigMap's, as ToolHive's
// operator does (convertAuthzConfig, LoadAuthzConfigFromConfigMap). A missing or unusable ConfigMap is an
// error, reported as upstream reports it: AuthConfigured=False, AuthzConfigMapNotFound or
// AuthzConfigMapInvalid. Upstream keeps no hash for it; the policies are in config.yaml, so a change of
// them changes the config checksum and rolls the pod.

import { parse } from "yaml";
import type { DesiredCondition } from "../kinds/conditions.ts";
import { isTree, type Tree } from "../kinds/json-tree.ts";
import { ConfigMap } from "../kinds/kubernetes.ts";
import { shown } from "../kinds/shown.ts";
import type { VirtualMCPServer } from "../kinds/toolhive.ts";
import { CEDAR_V1 } from "./authz-configs.ts";
import { type CedarOptions, readCedarOptions, runtimeAuthz, withAuthz } from "./cedar-options.ts";
import { missingRefs, refAt, reference } from "./reference.ts";

const AUTHZ = "spec.incomingAuth.authzConfig";
/** The key ToolHive reads when the spec names none (its CRD defaults it too). */
export const DEFAULT_AUTHZ_KEY = "authz.json";
const SPEC_MAPPING = ["groupClaimName", "roleClaimName", "groupEntityType"] as const;

const authzOf = (vmcp: VirtualMCPServer): Tree | undefined => {
  const authz = vmcp.spec.incomingAuth?.authzConfig as Tree | undefined;
  return authz && (authz.type ?? "configMap") === "configMap" && isTree(authz.configMap) ? authz : undefined;
};

const keyOf = (authz: Tree | undefined): string => {
  const key = isTree(authz?.configMap) ? authz.configMap.key : undefined;
  return typeof key === "string" && key !== "" ? key : DEFAULT_AUTHZ_KEY;
};

const invalid = (message: string, reason = "AuthzConfigMapInvalid"): DesiredCondition => ({
  type: "AuthConfigured",
  status: "False",
  reason,
  message: `Authorization ConfigMap is invalid: ${message}`,
});

/** The payload under the key, parsed and checked, or what is wrong with it, said of `subject`. */
function readPayload(
  subject: string,
  raw: string | undefined,
): { options: CedarOptions } | { problem: string } {
  if (raw === undefined)
    return {
      problem: `${subject} is missing; add it, or set ${AUTHZ}.configMap.key to the key that holds the config`,
    };
  if (raw.trim() === "") return { problem: `${subject} is empty; write the authorization config there` };
  let document: unknown;
  try {
    document = parse(raw);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0] ?? "";
    return { problem: `${subject} is neither JSON nor YAML (${reason}); fix its syntax` };
  }
  const shape = `an authorization config {version: "1.0", type: ${CEDAR_V1}, cedar: {policies: [...]}}`;
  if (!isTree(document)) return { problem: `${subject} must hold ${shape}` };
  if (typeof document.version !== "string" || document.version === "")
    return { problem: `${subject} has no version; set version: "1.0"` };
  if (document.type !== CEDAR_V1)
    return {
      problem: `${subject} has type ${shown(String(document.type ?? ""))}, and a VirtualMCPServer can use only ${CEDAR_V1} (the vMCP runtime authorizes with Cedar alone); write ${shape}`,
    };
  const read = readCedarOptions(document.cedar, "cedar");
  return "problem" in read ? { problem: `${subject}: ${read.problem}` } : read;
}

export const AUTHZ_CONFIG_MAPS = reference({
  kind: "ConfigMap",
  schema: ConfigMap,
  // Every namespace holds ConfigMaps, few of them authorization configs: the resync GETs those named.
  resyncReads: "names",
  refs: (vmcp) => {
    const configMap = authzOf(vmcp)?.configMap;
    return refAt(`${AUTHZ}.configMap.name`, isTree(configMap) ? configMap.name : undefined);
  },
  resolve: (input) => {
    const [ref] = input.refs;
    if (!ref) return { errors: [], conditions: [] };
    const configMap = input.found.get(ref.name);
    if (!configMap) {
      const errors = missingRefs(input, "ConfigMap");
      return { errors, conditions: [invalid(errors[0]?.message ?? "", "AuthzConfigMapNotFound")] };
    }
    const authz = authzOf(input.vmcp);
    const key = keyOf(authz);
    const subject = `ConfigMap ${shown(ref.name)} key ${shown(key)}`;
    const read = readPayload(subject, configMap.data?.[key]);
    if ("problem" in read)
      return { errors: [{ path: ref.path, message: read.problem }], conditions: [invalid(read.problem)] };
    // The spec's claim mapping is the control plane's word; the ConfigMap's fills in what it leaves out.
    const overrides = Object.fromEntries(
      SPEC_MAPPING.filter((k) => typeof authz?.[k] === "string" && authz[k] !== "").map((k) => [
        k,
        authz?.[k],
      ]),
    );
    return {
      errors: [],
      conditions: [],
      config: (tree) => withAuthz(tree, { ...runtimeAuthz(read.options), ...overrides }),
    };
  },
});
